package io.gridshare.node.model;

/**
 * What the forward pass needs to know about a model beyond its {@link LlamaConfig shape}.
 *
 * @param architecture {@code general.architecture}: "llama" or "qwen2" ("llama" for llama2.c)
 * @param ropeTheta RoPE base frequency
 * @param normEps RMSNorm epsilon
 * @param ropeStyle how RoPE pairs the dimensions of a head
 * @param ropeDims dimensions of each head that RoPE rotates (the head size unless the model says
 *     less)
 * @param ropeFreqFactors per-pair divisors of the RoPE frequencies ({@code llama3} rope scaling:
 *     {@code ropeDims / 2} values), or null
 * @param contextTrained the context length the model was trained for (its maximum)
 */
public record ArchitectureParams(String architecture, float ropeTheta, float normEps, RopeStyle ropeStyle,
                                 int ropeDims, float[] ropeFreqFactors, int contextTrained) {

    /** How RoPE pairs the dimensions of a head. */
    public enum RopeStyle {
        /** Adjacent pairs (2i, 2i + 1): llama2.c and ggml's normal mode (Llama, Mistral). */
        ADJACENT,
        /** Halves (i, i + ropeDims / 2): ggml's NEOX mode (Qwen2). */
        NEOX
    }

    /** llama2.c's fixed choices: theta 10000, epsilon 1e-5, adjacent pairs over the whole head. */
    public static ArchitectureParams llama2c(LlamaConfig c) {
        return new ArchitectureParams("llama", 10000f, 1e-5f, RopeStyle.ADJACENT, c.headSize(), null, c.seqLen());
    }
}
