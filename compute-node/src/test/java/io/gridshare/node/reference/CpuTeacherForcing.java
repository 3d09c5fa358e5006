package io.gridshare.node.reference;

import io.gridshare.node.engine.BackendSlot;
import io.gridshare.node.engine.EngineConfig;
import io.gridshare.node.engine.cpu.CpuBackend;
import io.gridshare.node.model.gguf.GgufModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The project's CPU forward pass driven the way {@link LlamaCppReference#teacherForced} drives
 * llama.cpp: each token of a fixed sequence at its position, the top tokens after each with their
 * log-probabilities under the full softmax.
 */
public final class CpuTeacherForcing {

    private CpuTeacherForcing() {}

    /** Element i: the {@code topK} most likely tokens after {@code tokens[0..i]} under {@code gguf}. */
    public static List<TopTokens> run(Path gguf, int[] tokens, int topK) throws Exception {
        try (GgufModel model = GgufModel.open(gguf, tokens.length);
             CpuBackend backend = new CpuBackend(model, EngineConfig.defaults(1).withCpuThreads(1), "agreement test");
             BackendSlot slot = backend.allocateSlot()) {
            float[] logits = new float[model.config().vocabSize()];
            List<TopTokens> out = new ArrayList<>(tokens.length);
            for (int pos = 0; pos < tokens.length; pos++) {
                backend.forward(slot, tokens[pos], pos, logits);
                out.add(top(logits, topK));
            }
            return out;
        }
    }

    /** The {@code k} largest logits (ties: the lower id first, as llama.cpp's sort keeps them) as log-probabilities. */
    static TopTokens top(float[] logits, int k) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        double logZ = max + Math.log(sum);
        int[] ids = new int[k];
        float[] logprobs = new float[k];
        boolean[] taken = new boolean[logits.length];
        for (int r = 0; r < k; r++) {
            int best = -1;
            for (int i = 0; i < logits.length; i++) {
                if (!taken[i] && (best < 0 || logits[i] > logits[best])) {
                    best = i;
                }
            }
            taken[best] = true;
            ids[r] = best;
            logprobs[r] = (float) (logits[best] - logZ);
        }
        return new TopTokens(ids, logprobs);
    }
}
