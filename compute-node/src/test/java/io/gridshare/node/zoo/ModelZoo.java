package io.gridshare.node.zoo;

import io.gridshare.node.model.gguf.GgufWriter;
import io.gridshare.node.tensor.GgmlType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Random-weight GGUF models that look like the real families to a loader: llama.cpp's architecture
 * keys and tensor names, a learned vocabulary with the family's tokenizer kind and special tokens, a
 * chat template, Llama 3.1 RoPE frequency factors, Qwen2 biases, tied or untied classifiers.
 *
 * <p>Scales keep activations near unit size; the classifier's rows have a heavy-tailed spread of
 * norms and logits a spread of a few units, so the argmax is usually clear and greedy or top-1
 * comparisons between implementations are meaningful.
 *
 * <p>{@code main(folder)} writes the benchmark models (see {@link #writeBenchmarkModels}).
 */
public final class ModelZoo {

    /** Standard deviation of the classifier's logits for a unit-RMS final hidden state (before row spread). */
    static final float LOGIT_STD = 2.5f;
    /** Log-normal spread of classifier row norms. */
    static final float CLASSIFIER_ROW_SPREAD = 1.0f;

    private ModelZoo() {}

    /** Writes {@code model} to {@code file} and returns the file. */
    public static Path write(ZooModel model, Path file) throws IOException {
        GgufWriter w = new GgufWriter();
        metadata(w, model);
        for (ZooTensor t : tensors(model)) {
            w.addTensor(t.name(), t.type(), t.dims(), t.source());
        }
        return w.write(file);
    }

    /**
     * Writes {@code model} with every matrix stored as F32 holding the values its {@code type} stores
     * (quantized, then dequantized by this project's dequantizer): a reference for the quantized
     * kernels free of llama.cpp's activation quantization.
     */
    public static Path writeDequantized(ZooModel model, Path file) throws IOException {
        GgufWriter w = new GgufWriter();
        metadata(w, model);
        for (ZooTensor t : tensors(model)) {
            if (t.source() instanceof RandomTensor r && r.type() == model.type() && r.type() != GgmlType.F32) {
                w.addTensor(t.name(), GgmlType.F32, t.dims(), r.dequantizedThrough(model.type()));
            } else {
                w.addTensor(t.name(), t.type(), t.dims(), t.source());
            }
        }
        return w.write(file);
    }

    /** Writes {@code model} into {@code folder} under its {@link ZooModel#fileName()}, unless already there. */
    public static Path writeInto(ZooModel model, Path folder) throws IOException {
        Files.createDirectories(folder);
        Path file = folder.resolve(model.fileName());
        return Files.isRegularFile(file) ? file : write(model, file);
    }

    /** The vocabulary a zoo model carries. */
    public static ZooVocabulary vocabulary(ZooModel model) {
        return ZooVocabulary.of(model.family(), model.vocab(), model.seed());
    }

    private static void metadata(GgufWriter w, ZooModel m) {
        ZooFamily f = m.family();
        String a = f.architecture() + ".";
        w.putString("general.architecture", f.architecture())
                .putString("general.name", "zoo " + f.name().toLowerCase(java.util.Locale.ROOT) + " " + m.dim() + "x"
                        + m.layers() + " " + m.type())
                .putUInt32("general.file_type", fileType(m.type()))
                .putUInt32(a + "context_length", f.contextLength())
                .putUInt32(a + "embedding_length", m.dim())
                .putUInt32(a + "block_count", m.layers())
                .putUInt32(a + "feed_forward_length", m.hidden())
                .putUInt32(a + "attention.head_count", m.heads())
                .putUInt32(a + "attention.head_count_kv", m.kvHeads())
                .putUInt32(a + "rope.dimension_count", m.headSize())
                .putFloat32(a + "rope.freq_base", f.ropeTheta())
                .putFloat32(a + "attention.layer_norm_rms_epsilon", f.normEps());
        if (f.architecture().equals("llama")) {
            w.putUInt32(a + "vocab_size", m.vocab());
        }
        vocabulary(m).writeTo(w, f);
    }

    /** llama.cpp's LLAMA_FTYPE for a model whose matrices are all {@code type}. */
    private static int fileType(GgmlType type) {
        return switch (type) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q8_0 -> 7;
            case Q4_K -> 15; // Q4_K_M is the usual name; here every matrix is Q4_K
            case Q5_K -> 17;
            case Q6_K -> 18;
            case BF16 -> 32;
        };
    }

    static List<ZooTensor> tensors(ZooModel m) {
        GgmlType t = m.type();
        long s = m.seed();
        int d = m.dim(), kv = m.kvDim(), h = m.hidden(), v = m.vocab();
        float inv = (float) (1 / Math.sqrt(d));
        float classifierStd = LOGIT_STD * inv;
        List<RandomTensor> out = new ArrayList<>();
        List<ZooTensor> fixed = new ArrayList<>();
        out.add(m.tied()
                ? new RandomTensor("token_embd.weight", t, v, d, classifierStd, CLASSIFIER_ROW_SPREAD, 0f, s)
                : new RandomTensor("token_embd.weight", t, v, d, 1f, 0f, 0f, s));
        if (m.family().llama3RopeScaling()) {
            fixed.add(ZooTensor.f32("rope_freqs.weight", new RopeFactors(m.headSize(), m.family().ropeTheta()).factors()));
        }
        for (int l = 0; l < m.layers(); l++) {
            String p = "blk." + l + ".";
            out.add(norm(p + "attn_norm.weight", d, s));
            // queries and keys a little larger than unit scale so attention is not uniform
            out.add(new RandomTensor(p + "attn_q.weight", t, d, d, 1.5f * inv, 0f, 0f, s));
            out.add(new RandomTensor(p + "attn_k.weight", t, kv, d, 1.5f * inv, 0f, 0f, s));
            out.add(new RandomTensor(p + "attn_v.weight", t, kv, d, inv, 0f, 0f, s));
            if (m.family().attentionBiases()) {
                out.add(new RandomTensor(p + "attn_q.bias", GgmlType.F32, 1, d, 0.2f, 0f, 0f, s));
                out.add(new RandomTensor(p + "attn_k.bias", GgmlType.F32, 1, kv, 0.2f, 0f, 0f, s));
                out.add(new RandomTensor(p + "attn_v.bias", GgmlType.F32, 1, kv, 0.2f, 0f, 0f, s));
            }
            out.add(new RandomTensor(p + "attn_output.weight", t, d, d, inv, 0f, 0f, s));
            out.add(norm(p + "ffn_norm.weight", d, s));
            out.add(new RandomTensor(p + "ffn_gate.weight", t, h, d, inv, 0f, 0f, s));
            out.add(new RandomTensor(p + "ffn_down.weight", t, d, h, (float) (1 / Math.sqrt(h)), 0f, 0f, s));
            out.add(new RandomTensor(p + "ffn_up.weight", t, h, d, inv, 0f, 0f, s));
        }
        out.add(norm("output_norm.weight", d, s));
        if (!m.tied()) {
            out.add(new RandomTensor("output.weight", t, v, d, classifierStd, CLASSIFIER_ROW_SPREAD, 0f, s));
        }
        List<ZooTensor> all = new ArrayList<>();
        all.add(ZooTensor.of(out.getFirst()));
        all.addAll(fixed); // rope_freqs.weight follows token_embd.weight, as llama.cpp's converter writes it
        out.subList(1, out.size()).forEach(r -> all.add(ZooTensor.of(r)));
        return all;
    }

    private static RandomTensor norm(String name, int n, long seed) {
        return new RandomTensor(name, GgmlType.F32, 1, n, 0.1f, 0f, 1f, seed);
    }

    /**
     * Writes the benchmark models into {@code folder}: a ~100M-parameter and a ~1B-parameter
     * Llama-3.2-1B-shaped model (32k vocabulary instead of 128k, which says so in the file name),
     * each at F16, Q8_0 and Q4_K. Existing files are kept. Weights are streamed: memory use stays at
     * a few chunks of rows whatever the model size.
     */
    public static List<Path> writeBenchmarkModels(Path folder) throws IOException {
        List<Path> written = new ArrayList<>();
        for (GgmlType type : List.of(GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_K)) {
            written.add(writeInto(ZooModel.llama3Hundred(type), folder));
            written.add(writeInto(ZooModel.llama32OneB(type), folder));
        }
        return written;
    }

    /** {@code ModelZoo <folder>}: writes the benchmark models (see {@link #writeBenchmarkModels}). */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ModelZoo <folder>   (writes ~100M and ~1B Llama 3-style models at F16, Q8_0, Q4_K)");
            System.exit(2);
        }
        for (Path p : writeBenchmarkModels(Path.of(args[0]))) {
            System.out.println(p + "\t" + Files.size(p) + " bytes");
        }
    }
}
