package io.gridshare.node.zoo;

import io.gridshare.node.model.gguf.GgufWriter;
import io.gridshare.node.tensor.GgmlType;

/** One tensor of a zoo model as the writer takes it: name, type, ggml dims (row length first) and its bytes' source. */
record ZooTensor(String name, GgmlType type, long[] dims, GgufWriter.TensorSource source) {

    static ZooTensor of(RandomTensor t) {
        return new ZooTensor(t.name(), t.type(), t.dims(), t);
    }

    /** A fixed F32 vector. */
    static ZooTensor f32(String name, float[] values) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * values.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        byte[] bytes = b.array();
        return new ZooTensor(name, GgmlType.F32, new long[] {values.length}, out -> out.write(bytes));
    }
}
