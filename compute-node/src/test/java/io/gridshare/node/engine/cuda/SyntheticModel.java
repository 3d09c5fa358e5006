package io.gridshare.node.engine.cuda;

import io.gridshare.node.model.ArchitectureParams;
import io.gridshare.node.model.LlamaConfig;
import io.gridshare.node.model.TransformerModel;
import io.gridshare.node.tensor.GgmlType;
import io.gridshare.node.tensor.WeightMatrix;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A random model of the Llama family held in memory as a GGUF file would hold it: matrices in the
 * given ggml layouts (built by {@link QuantFixtures}), norms and biases as floats. Stands in for a
 * GGUF file in the CUDA tests, so they need no model download and no GGUF reader.
 *
 * @param embedding type of the token embedding
 * @param attention type of wq, wk, wv, wo
 * @param ffn type of the gate, up and down projections
 * @param outputType type of the classifier, or null to tie it to the embedding
 * @param biases whether q, k, v carry biases (Qwen2)
 */
record SyntheticModel(LlamaConfig config, ArchitectureParams params, GgmlType embedding, GgmlType attention,
                      GgmlType ffn, GgmlType outputType, boolean biases, Layer[] layers, WeightMatrix tokens,
                      WeightMatrix classifier, float[] finalNorm) implements TransformerModel {

    record Layer(float[] attNorm, WeightMatrix wq, WeightMatrix wk, WeightMatrix wv, float[] bq, float[] bk,
                 float[] bv, WeightMatrix wo, float[] ffnNorm, WeightMatrix gate, WeightMatrix up,
                 WeightMatrix down) {}

    static SyntheticModel random(LlamaConfig c, ArchitectureParams params, GgmlType embedding, GgmlType attention,
                                 GgmlType ffn, GgmlType output, boolean biases, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float inDim = (float) (1 / Math.sqrt(c.dim()));
        float inHidden = (float) (1 / Math.sqrt(c.hiddenDim()));
        Layer[] layers = new Layer[c.layers()];
        for (int l = 0; l < c.layers(); l++) {
            layers[l] = new Layer(norm(random, c.dim()),
                    QuantFixtures.random(attention, c.dim(), c.dim(), inDim, random.nextLong()),
                    QuantFixtures.random(attention, c.kvDim(), c.dim(), inDim, random.nextLong()),
                    QuantFixtures.random(attention, c.kvDim(), c.dim(), inDim, random.nextLong()),
                    biases ? vector(random, c.dim(), 0.5f) : null,
                    biases ? vector(random, c.kvDim(), 0.5f) : null,
                    biases ? vector(random, c.kvDim(), 0.5f) : null,
                    QuantFixtures.random(attention, c.dim(), c.dim(), inDim, random.nextLong()),
                    norm(random, c.dim()),
                    QuantFixtures.random(ffn, c.hiddenDim(), c.dim(), inDim, random.nextLong()),
                    QuantFixtures.random(ffn, c.hiddenDim(), c.dim(), inDim, random.nextLong()),
                    QuantFixtures.random(ffn, c.dim(), c.hiddenDim(), inHidden, random.nextLong()));
        }
        WeightMatrix tokens = QuantFixtures.random(embedding, c.vocabSize(), c.dim(), 1f, random.nextLong());
        WeightMatrix classifier = output == null ? tokens
                : QuantFixtures.random(output, c.vocabSize(), c.dim(), inDim * 4, random.nextLong());
        return new SyntheticModel(c, params, embedding, attention, ffn, output, biases, layers, tokens, classifier,
                norm(random, c.dim()));
    }

    private static float[] norm(SplittableRandom random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextDouble(0.5, 1.5);
        }
        return v;
    }

    private static float[] vector(SplittableRandom random, int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextDouble(-scale, scale);
        }
        return v;
    }

    @Override
    public Path path() {
        return Path.of("synthetic-" + params.architecture() + "-" + attention + "-" + ffn + ".gguf");
    }

    @Override
    public WeightMatrix tokenEmbedding() {
        return tokens;
    }

    @Override
    public float[] attentionNorm(int layer) {
        return layers[layer].attNorm();
    }

    @Override
    public WeightMatrix wq(int layer) {
        return layers[layer].wq();
    }

    @Override
    public WeightMatrix wk(int layer) {
        return layers[layer].wk();
    }

    @Override
    public WeightMatrix wv(int layer) {
        return layers[layer].wv();
    }

    @Override
    public float[] bq(int layer) {
        return layers[layer].bq();
    }

    @Override
    public float[] bk(int layer) {
        return layers[layer].bk();
    }

    @Override
    public float[] bv(int layer) {
        return layers[layer].bv();
    }

    @Override
    public WeightMatrix wo(int layer) {
        return layers[layer].wo();
    }

    @Override
    public float[] ffnNorm(int layer) {
        return layers[layer].ffnNorm();
    }

    @Override
    public WeightMatrix ffnGate(int layer) {
        return layers[layer].gate();
    }

    @Override
    public WeightMatrix ffnUp(int layer) {
        return layers[layer].up();
    }

    @Override
    public WeightMatrix ffnDown(int layer) {
        return layers[layer].down();
    }

    @Override
    public float[] outputNorm() {
        return finalNorm;
    }

    @Override
    public WeightMatrix output() {
        return classifier;
    }

    @Override
    public void close() {
        // native memory of the fixtures is freed with them
    }

    @Override
    public String toString() {
        return path().getFileName() + " " + config + " rope " + params.ropeStyle() + "/" + params.ropeDims()
                + (params.ropeFreqFactors() != null ? " with freq factors" : "") + (biases ? ", qkv biases" : "");
    }
}
