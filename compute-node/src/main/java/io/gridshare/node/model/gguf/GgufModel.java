package io.gridshare.node.model.gguf;

import io.gridshare.node.model.ArchitectureParams;
import io.gridshare.node.model.ArchitectureParams.RopeStyle;
import io.gridshare.node.model.LlamaConfig;
import io.gridshare.node.model.ModelFormatException;
import io.gridshare.node.model.TransformerModel;
import io.gridshare.node.tensor.GgmlType;
import io.gridshare.node.tensor.WeightMatrices;
import io.gridshare.node.tensor.WeightMatrix;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A GGUF file of the Llama family seen as a {@link TransformerModel}: {@code general.architecture}
 * {@code llama} (Llama 2 and 3.x, Mistral, SmolLM2, TinyLlama) or {@code qwen2}. The shape, RoPE and
 * norm parameters come from the architecture's metadata keys; matrices stay in the file, in their
 * stored type, and every tensor's shape is checked against the metadata when the model opens, so a
 * file that would fail mid-job fails here instead, naming the tensor.
 */
public final class GgufModel implements TransformerModel {

    /** Architectures this node runs. */
    public static final Set<String> ARCHITECTURES = Set.of("llama", "qwen2");
    /** The context a node serves when the operator does not choose one (capped by the model's). */
    public static final int DEFAULT_CONTEXT = 4096;

    private final GgufFile file;
    private final LlamaConfig config;
    private final ArchitectureParams params;
    private final WeightMatrix tokenEmbedding, output;

    private GgufModel(GgufFile file, LlamaConfig config, ArchitectureParams params, WeightMatrix tokenEmbedding,
                      WeightMatrix output) {
        this.file = file;
        this.config = config;
        this.params = params;
        this.tokenEmbedding = tokenEmbedding;
        this.output = output;
    }

    /**
     * Opens a model file.
     *
     * @param contextLimit the context to serve; 0 for {@link #DEFAULT_CONTEXT}; capped by the model's
     *     own {@code context_length}
     * @throws ModelFormatException naming the file and the key or tensor that is missing, of an
     *     unsupported type, or of the wrong shape
     */
    public static GgufModel open(Path path, int contextLimit) throws IOException {
        GgufFile file = GgufFile.open(path);
        try {
            return from(file, contextLimit);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** Builds the model over an open file; the model owns the file from then on. */
    public static GgufModel from(GgufFile file, int contextLimit) throws IOException {
        GgufMetadata md = file.metadata();
        Path path = file.path();
        String arch = md.requireString("general.architecture");
        if (!ARCHITECTURES.contains(arch)) {
            throw new ModelFormatException(path, "general.architecture '" + arch + "' is not supported; this node runs "
                    + String.join(", ", ARCHITECTURES.stream().sorted().toList())
                    + " (Llama 2/3.x, Mistral, SmolLM2, TinyLlama, Qwen2/2.5)");
        }
        String p = arch + ".";
        int dim = positive(path, p + "embedding_length", md.requireInteger(p + "embedding_length"));
        int layers = positive(path, p + "block_count", md.requireInteger(p + "block_count"));
        int hidden = positive(path, p + "feed_forward_length", md.requireInteger(p + "feed_forward_length"));
        int heads = positive(path, p + "attention.head_count", md.requireInteger(p + "attention.head_count"));
        int kvHeads = positive(path, p + "attention.head_count_kv",
                md.integer(p + "attention.head_count_kv").orElse(heads));
        int trained = positive(path, p + "context_length", md.requireInteger(p + "context_length"));
        if (dim % heads != 0 || (dim / heads) % 2 != 0) {
            throw new ModelFormatException(path, p + "embedding_length " + dim + " is not " + p
                    + "attention.head_count " + heads + " times an even head size");
        }
        if (kvHeads > heads || heads % kvHeads != 0) {
            throw new ModelFormatException(path, p + "attention.head_count_kv " + kvHeads + " does not divide "
                    + p + "attention.head_count " + heads);
        }
        int headSize = dim / heads;
        for (String key : new String[] {p + "attention.key_length", p + "attention.value_length"}) {
            if (md.integer(key).isPresent() && md.integer(key).getAsLong() != headSize) {
                throw new ModelFormatException(path, key + " " + md.integer(key).getAsLong()
                        + " differs from the head size " + headSize + "; such models are not supported");
            }
        }
        float eps = md.number(p + "attention.layer_norm_rms_epsilon").map(Double::floatValue).orElse(1e-5f);
        float theta = md.number(p + "rope.freq_base").map(Double::floatValue).orElse(10000f);
        int ropeDims = (int) md.integer(p + "rope.dimension_count").orElse(headSize);
        if (ropeDims <= 0 || ropeDims > headSize || ropeDims % 2 != 0) {
            throw new ModelFormatException(path, p + "rope.dimension_count " + ropeDims
                    + " must be even and within the head size " + headSize);
        }
        float[] freqFactors = ropeFactors(file, md, p, ropeDims);
        int vocab = md.stringArray("tokenizer.ggml.tokens").size();

        WeightMatrix embedding = matrix(file, "token_embd.weight", vocab, dim);
        Optional<GgufTensorInfo> out = file.tensor("output.weight");
        WeightMatrix output = out.isPresent() ? matrix(file, "output.weight", vocab, dim) : embedding;

        int context = Math.min(contextLimit > 0 ? contextLimit : DEFAULT_CONTEXT, trained);
        LlamaConfig config = new LlamaConfig(dim, hidden, layers, heads, kvHeads, vocab, context, out.isEmpty());
        RopeStyle style = arch.equals("qwen2") ? RopeStyle.NEOX : RopeStyle.ADJACENT;
        ArchitectureParams params = new ArchitectureParams(arch, theta, eps, style, ropeDims, freqFactors, trained);
        GgufModel model = new GgufModel(file, config, params, embedding, output);
        try {
            model.checkLayers();
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof ModelFormatException mfe) {
                throw mfe;
            }
            throw e;
        }
        return model;
    }

    /** Llama 3.x's per-pair frequency divisors (tensor {@code rope_freqs.weight}), or linear scaling. */
    private static float[] ropeFactors(GgufFile file, GgufMetadata md, String p, int ropeDims) throws IOException {
        String type = md.string(p + "rope.scaling.type").orElse("none").toLowerCase(Locale.ROOT);
        Optional<GgufTensorInfo> freqs = file.tensor("rope_freqs.weight");
        if (freqs.isPresent()) {
            float[] f = floats(file, freqs.get(), ropeDims / 2);
            return f;
        }
        switch (type) {
            case "none", "llama3" -> {
                return null;
            }
            case "linear" -> {
                float factor = md.number(p + "rope.scaling.factor").map(Double::floatValue).orElse(1f);
                if (!(factor > 0f)) {
                    throw new ModelFormatException(file.path(), p + "rope.scaling.factor " + factor + " must be positive");
                }
                float[] f = new float[ropeDims / 2];
                java.util.Arrays.fill(f, factor);
                return f;
            }
            default -> throw new ModelFormatException(file.path(), p + "rope.scaling.type '" + type
                    + "' is not supported; supported: none, linear, llama3 (rope_freqs.weight)");
        }
    }

    private void checkLayers() {
        for (int l = 0; l < config.layers(); l++) {
            wq(l);
            wk(l);
            wv(l);
            wo(l);
            ffnGate(l);
            ffnUp(l);
            ffnDown(l);
            attentionNorm(l);
            ffnNorm(l);
            bq(l);
            bk(l);
            bv(l);
        }
        outputNorm();
    }

    private static int positive(Path path, String key, long value) throws ModelFormatException {
        if (value <= 0 || value > (1 << 24)) {
            throw new ModelFormatException(path, key + " " + value + " is outside [1, " + (1 << 24) + "]");
        }
        return (int) value;
    }

    private static WeightMatrix matrix(GgufFile file, String name, int rows, int cols) throws ModelFormatException {
        GgufTensorInfo t = file.requireTensor(name);
        if (t.dims().length != 2 || t.cols() != cols || t.rows() != rows) {
            throw new ModelFormatException(file.path(), "tensor " + name + " has shape "
                    + java.util.Arrays.toString(t.dims()) + " but the metadata implies [" + cols + ", " + rows + "]");
        }
        try {
            return WeightMatrices.of(t.type(), file.data(t), rows, cols);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file.path(), "tensor " + name + ": " + e.getMessage());
        }
    }

    /** A small tensor (norm weights, biases, rope factors) as floats, whatever its stored type. */
    private static float[] floats(GgufFile file, GgufTensorInfo t, int n) throws ModelFormatException {
        if (t.elements() != n) {
            throw new ModelFormatException(file.path(), "tensor " + t.name() + " has " + t.elements()
                    + " elements but the metadata implies " + n);
        }
        float[] out = new float[n];
        try {
            WeightMatrices.of(t.type(), file.data(t), 1, n).dequantizeRow(0, out, 0);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file.path(), "tensor " + t.name() + ": " + e.getMessage());
        }
        return out;
    }

    private float[] vector(String name, int n) {
        try {
            return floats(file, file.requireTensor(name), n);
        } catch (ModelFormatException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private float[] optionalVector(String name, int n) {
        return file.tensor(name).map(t -> vector(name, n)).orElse(null);
    }

    private WeightMatrix layerMatrix(int layer, String kind, int rows, int cols) {
        try {
            return matrix(file, "blk." + layer + "." + kind + ".weight", rows, cols);
        } catch (ModelFormatException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The open file (metadata for the tokenizer and chat template). */
    public GgufFile file() {
        return file;
    }

    @Override public Path path() { return file.path(); }
    @Override public LlamaConfig config() { return config; }
    @Override public ArchitectureParams params() { return params; }
    @Override public WeightMatrix tokenEmbedding() { return tokenEmbedding; }
    @Override public float[] attentionNorm(int l) { return vector("blk." + l + ".attn_norm.weight", config.dim()); }
    @Override public WeightMatrix wq(int l) { return layerMatrix(l, "attn_q", config.dim(), config.dim()); }
    @Override public WeightMatrix wk(int l) { return layerMatrix(l, "attn_k", config.kvDim(), config.dim()); }
    @Override public WeightMatrix wv(int l) { return layerMatrix(l, "attn_v", config.kvDim(), config.dim()); }
    @Override public float[] bq(int l) { return optionalVector("blk." + l + ".attn_q.bias", config.dim()); }
    @Override public float[] bk(int l) { return optionalVector("blk." + l + ".attn_k.bias", config.kvDim()); }
    @Override public float[] bv(int l) { return optionalVector("blk." + l + ".attn_v.bias", config.kvDim()); }
    @Override public WeightMatrix wo(int l) { return layerMatrix(l, "attn_output", config.dim(), config.dim()); }
    @Override public float[] ffnNorm(int l) { return vector("blk." + l + ".ffn_norm.weight", config.dim()); }
    @Override public WeightMatrix ffnGate(int l) { return layerMatrix(l, "ffn_gate", config.hiddenDim(), config.dim()); }
    @Override public WeightMatrix ffnUp(int l) { return layerMatrix(l, "ffn_up", config.hiddenDim(), config.dim()); }
    @Override public WeightMatrix ffnDown(int l) { return layerMatrix(l, "ffn_down", config.dim(), config.hiddenDim()); }
    @Override public float[] outputNorm() { return vector("output_norm.weight", config.dim()); }
    @Override public WeightMatrix output() { return output; }

    /** Types of the matrices, e.g. "Q4_K ×112, Q6_K ×1, F32 ×…", for `models` output. */
    public String quantization() {
        java.util.Map<GgmlType, Integer> counts = new java.util.TreeMap<>();
        for (GgufTensorInfo t : file.tensors()) {
            if (t.dims().length == 2) {
                counts.merge(t.type(), 1, Integer::sum);
            }
        }
        return counts.entrySet().stream().map(e -> e.getKey() + " ×" + e.getValue())
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /** Number of weights in the file's tensors. */
    public long parameters() {
        return file.tensors().stream().mapToLong(GgufTensorInfo::elements).sum();
    }

    @Override
    public void close() {
        file.close();
    }
}
