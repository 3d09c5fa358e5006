package io.gridshare.node.engine.cuda;

import io.gridshare.node.engine.BackendUnavailableException;
import io.gridshare.node.model.ArchitectureParams;
import io.gridshare.node.model.LlamaConfig;
import io.gridshare.node.model.TransformerModel;
import io.gridshare.node.tensor.WeightMatrix;
import java.util.ArrayList;
import java.util.List;

/**
 * What the CUDA backend can serve of a {@link TransformerModel}, decided on the host before any
 * device work: every matrix must be in a layout with a kernel ({@link KernelModule#SUPPORTED}) and
 * the RoPE parameters must fit the kernels. Also the host-side RoPE table the kernels read.
 */
final class ModelSupport {

    private ModelSupport() {}

    /** A matrix with its GGUF tensor name, for messages. */
    record NamedMatrix(String name, WeightMatrix matrix) {}

    /** Every matrix of the model, named as GGUF names them. */
    static List<NamedMatrix> matrices(TransformerModel model) {
        List<NamedMatrix> all = new ArrayList<>();
        all.add(new NamedMatrix("token_embd.weight", model.tokenEmbedding()));
        for (int l = 0; l < model.config().layers(); l++) {
            String p = "blk." + l + ".";
            all.add(new NamedMatrix(p + "attn_q.weight", model.wq(l)));
            all.add(new NamedMatrix(p + "attn_k.weight", model.wk(l)));
            all.add(new NamedMatrix(p + "attn_v.weight", model.wv(l)));
            all.add(new NamedMatrix(p + "attn_output.weight", model.wo(l)));
            all.add(new NamedMatrix(p + "ffn_gate.weight", model.ffnGate(l)));
            all.add(new NamedMatrix(p + "ffn_up.weight", model.ffnUp(l)));
            all.add(new NamedMatrix(p + "ffn_down.weight", model.ffnDown(l)));
        }
        all.add(new NamedMatrix("output.weight", model.output()));
        return all;
    }

    /**
     * Refuses models the kernels cannot run, naming the first tensor in the way.
     *
     * @throws BackendUnavailableException for a weight type without a CUDA kernel or RoPE
     *     parameters outside what the kernels handle; the CPU backend serves such models
     */
    static void check(TransformerModel model) throws BackendUnavailableException {
        for (NamedMatrix m : matrices(model)) {
            if (!KernelModule.SUPPORTED.containsKey(m.matrix().type())) {
                throw new BackendUnavailableException("the CUDA backend has no kernel for tensor " + m.name()
                        + " of type " + m.matrix().type() + " in " + model.path().getFileName() + " (CUDA kernels: "
                        + KernelModule.SUPPORTED.keySet() + "); --backend cpu serves it");
            }
        }
        LlamaConfig c = model.config();
        ArchitectureParams p = model.params();
        if (p.ropeDims() <= 0 || p.ropeDims() % 2 != 0 || p.ropeDims() > c.headSize()) {
            throw new BackendUnavailableException("RoPE over " + p.ropeDims() + " dimensions of heads of "
                    + c.headSize() + " in " + model.path().getFileName() + " is not supported by the CUDA kernels"
                    + " (an even count up to the head size); --backend cpu serves it");
        }
        if (p.ropeFreqFactors() != null && p.ropeFreqFactors().length < p.ropeDims() / 2) {
            throw new BackendUnavailableException("the model " + model.path().getFileName() + " has "
                    + p.ropeFreqFactors().length + " RoPE frequency factors, needs " + p.ropeDims() / 2);
        }
    }

    /**
     * RoPE angles as (cos, sin) pairs, {@code [pos][ropeDims / 2]}: pair j at position pos turns by
     * {@code pos * theta^(-2j / ropeDims) / factor[j]}. Computed in float as
     * {@link io.gridshare.node.engine.cpu.VectorKernels#ropeTables} does, so for llama2.c's
     * parameters both backends rotate by bit-identical values.
     */
    static float[] ropeTable(ArchitectureParams p, int seqLen) {
        int half = p.ropeDims() / 2;
        float[] factors = p.ropeFreqFactors();
        float[] table = new float[2 * seqLen * half];
        for (int j = 0; j < half; j++) {
            float freq = 1.0f / (float) Math.pow(p.ropeTheta(), (2 * j) / (float) p.ropeDims());
            if (factors != null) {
                freq /= factors[j];
            }
            for (int pos = 0; pos < seqLen; pos++) {
                float val = pos * freq;
                int at = 2 * (pos * half + j);
                table[at] = (float) Math.cos(val);
                table[at + 1] = (float) Math.sin(val);
            }
        }
        return table;
    }
}
