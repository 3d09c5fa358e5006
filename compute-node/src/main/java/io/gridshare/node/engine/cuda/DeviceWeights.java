package io.gridshare.node.engine.cuda;

import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;

import io.gridshare.node.model.TransformerModel;
import io.gridshare.node.tensor.GgmlType;
import io.gridshare.node.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * A model's weights on the device, each matrix uploaded once from its raw bytes in its stored
 * layout (quantized weights stay quantized), the small vectors as floats. Built on the thread that
 * owns the context; the allocations belong to the {@link Allocator}.
 */
final class DeviceWeights {

    /** Bytes per host-to-device copy from a mapped file (ByteBuffer views stop at 2 GiB). */
    private static final long UPLOAD_CHUNK = 1L << 30;

    /** Device memory owned by the caller (freed with its other allocations). */
    interface Allocator {
        CUdeviceptr alloc(long bytes);
    }

    /** One matrix on the device. */
    record Matrix(CUdeviceptr ptr, GgmlType type, int rows, int cols) {}

    final Matrix embedding, output;
    final Matrix[] wq, wk, wv, wo, gate, up, down;
    /** Norm weights and biases; a bias is a null device pointer when the model has none. */
    final CUdeviceptr[] attNorm, ffnNorm, bq, bk, bv;
    final CUdeviceptr outputNorm;

    private final Allocator allocator;
    /** Tied matrices (the classifier that is the embedding) upload once: keyed by address and size. */
    private final Map<Object, Matrix> uploaded = new HashMap<>();

    DeviceWeights(TransformerModel model, Allocator allocator) {
        this.allocator = allocator;
        int layers = model.config().layers();
        wq = new Matrix[layers];
        wk = new Matrix[layers];
        wv = new Matrix[layers];
        wo = new Matrix[layers];
        gate = new Matrix[layers];
        up = new Matrix[layers];
        down = new Matrix[layers];
        attNorm = new CUdeviceptr[layers];
        ffnNorm = new CUdeviceptr[layers];
        bq = new CUdeviceptr[layers];
        bk = new CUdeviceptr[layers];
        bv = new CUdeviceptr[layers];
        embedding = matrix(model.tokenEmbedding());
        for (int l = 0; l < layers; l++) {
            attNorm[l] = floats(model.attentionNorm(l));
            wq[l] = matrix(model.wq(l));
            wk[l] = matrix(model.wk(l));
            wv[l] = matrix(model.wv(l));
            bq[l] = floats(model.bq(l));
            bk[l] = floats(model.bk(l));
            bv[l] = floats(model.bv(l));
            wo[l] = matrix(model.wo(l));
            ffnNorm[l] = floats(model.ffnNorm(l));
            gate[l] = matrix(model.ffnGate(l));
            up[l] = matrix(model.ffnUp(l));
            down[l] = matrix(model.ffnDown(l));
        }
        outputNorm = floats(model.outputNorm());
        output = matrix(model.output());
    }

    /** Device bytes the weights take, counted before uploading (tied matrices once). */
    static long bytes(TransformerModel model) {
        Map<Object, Long> matrices = new HashMap<>();
        for (ModelSupport.NamedMatrix m : ModelSupport.matrices(model)) {
            matrices.put(key(m.matrix()), m.matrix().data().byteSize());
        }
        long total = matrices.values().stream().mapToLong(Long::longValue).sum();
        int layers = model.config().layers();
        int dim = model.config().dim(), kvDim = model.config().kvDim();
        boolean biases = layers > 0 && model.bq(0) != null;
        return total + 4L * dim * (2L * layers + 1) + (biases ? 4L * layers * (dim + 2L * kvDim) : 0);
    }

    private Matrix matrix(WeightMatrix m) {
        MemorySegment data = m.data();
        Object key = key(m);
        Matrix known = uploaded.get(key);
        if (known != null) {
            return known;
        }
        long expected = m.rowBytes() * m.rows();
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException("a " + m.type() + " matrix of " + m.rows() + " x " + m.cols()
                    + " holds " + data.byteSize() + " bytes, expected " + expected);
        }
        Matrix matrix = new Matrix(upload(data), m.type(), m.rows(), m.cols());
        uploaded.put(key, matrix);
        return matrix;
    }

    /** Same native bytes, same matrix; heap-backed matrices (tests) by identity. */
    private static Object key(WeightMatrix m) {
        MemorySegment data = m.data();
        return data.isNative() ? List.of(data.address(), data.byteSize()) : new IdentityKey(m);
    }

    private record IdentityKey(WeightMatrix m) {
        @Override
        public boolean equals(Object o) {
            return o instanceof IdentityKey other && other.m == m;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(m);
        }
    }

    private CUdeviceptr floats(float[] values) {
        if (values == null) {
            return new CUdeviceptr();
        }
        CUdeviceptr p = allocator.alloc(4L * values.length);
        cuMemcpyHtoD(p, Pointer.to(values), 4L * values.length);
        return p;
    }

    private CUdeviceptr upload(MemorySegment data) {
        long bytes = data.byteSize();
        CUdeviceptr p = allocator.alloc(bytes);
        for (long off = 0; off < bytes; off += UPLOAD_CHUNK) {
            long len = Math.min(UPLOAD_CHUNK, bytes - off);
            ByteBuffer chunk = data.asSlice(off, len).asByteBuffer();
            if (!chunk.isDirect()) {
                chunk = ByteBuffer.allocateDirect((int) len).put(chunk).flip();
            }
            cuMemcpyHtoD(p.withByteOffset(off), Pointer.to(chunk), len);
        }
        return p;
    }
}
