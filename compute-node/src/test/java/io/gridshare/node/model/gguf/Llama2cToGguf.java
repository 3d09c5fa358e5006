package io.gridshare.node.model.gguf;

import io.gridshare.node.model.LlamaCheckpoint;
import io.gridshare.node.model.LlamaConfig;
import io.gridshare.node.model.ModelFiles;
import io.gridshare.node.model.ModelsDirectory;
import io.gridshare.node.model.Tokenizer;
import io.gridshare.node.tensor.GgmlType;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Converts a llama2.c checkpoint and tokenizer into a GGUF file of architecture {@code llama}
 * with llama.cpp's key and tensor names, so GGUF loading can be tested against a real trained
 * model (stories260K). llama2.c already stores q/k in the adjacent-pair RoPE layout ggml's llama
 * architecture expects, so no weight is permuted.
 *
 * <p>Each tensor's type comes from a {@link TypeChooser}; its float32 data is encoded by a
 * {@link Quantizer}. {@link #FLOAT_ENCODER} handles F32 and F16; a quantized variant plugs in
 * another encoder.
 */
public final class Llama2cToGguf {

    /** Picks a tensor's type; vectors (norms) are passed as one row of {@code cols}. */
    @FunctionalInterface
    public interface TypeChooser {
        GgmlType typeFor(String tensorName, int rows, int cols);
    }

    /** Encodes row-major float32 data of rows of {@code cols} as {@code type}'s bytes. */
    @FunctionalInterface
    public interface Quantizer {
        byte[] encode(GgmlType type, float[] rowMajorData, int cols);
    }

    public static final TypeChooser ALL_F32 = (name, rows, cols) -> GgmlType.F32;

    /** F16 for matrices, F32 for vectors (as llama.cpp's converters do). */
    public static final TypeChooser MATRICES_F16 = (name, rows, cols) -> rows > 1 ? GgmlType.F16 : GgmlType.F32;

    public static final Quantizer FLOAT_ENCODER = (type, data, cols) -> {
        ByteBuffer out;
        switch (type) {
            case F32 -> {
                out = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
                out.asFloatBuffer().put(data);
            }
            case F16 -> {
                out = ByteBuffer.allocate(2 * data.length).order(ByteOrder.LITTLE_ENDIAN);
                for (float f : data) {
                    out.putShort(Float.floatToFloat16(f));
                }
            }
            default -> throw new UnsupportedOperationException("FLOAT_ENCODER writes F32 and F16, not " + type
                    + "; pass a quantizer for it");
        }
        return out.array();
    };

    /** llama.cpp's token types. */
    public static final int TOKEN_NORMAL = 1, TOKEN_UNKNOWN = 2, TOKEN_CONTROL = 3, TOKEN_BYTE = 6;

    private static final Pattern BYTE_TOKEN = Pattern.compile("<0x[0-9A-Fa-f]{2}>");

    private final TypeChooser types;
    private final Quantizer quantizer;

    public Llama2cToGguf(TypeChooser types, Quantizer quantizer) {
        this.types = types;
        this.quantizer = quantizer;
    }

    /** Converts stories260K from the models directory to an all-F32 GGUF. */
    public static Path convert(Path outFile) throws IOException {
        return convert(outFile, ALL_F32, FLOAT_ENCODER);
    }

    /** Converts stories260K from the models directory with the given tensor types. */
    public static Path convert(Path outFile, TypeChooser types, Quantizer quantizer) throws IOException {
        ModelFiles files = ModelFiles.stories260K(ModelsDirectory.resolve());
        return new Llama2cToGguf(types, quantizer).convert(files.checkpoint(), files.tokenizer(), outFile);
    }

    public Path convert(Path checkpoint, Path tokenizer, Path outFile) throws IOException {
        return toWriter(checkpoint, tokenizer).write(outFile);
    }

    /** The whole model as a writer, so a test can add or break keys before writing. */
    public GgufWriter toWriter(Path checkpoint, Path tokenizerFile) throws IOException {
        try (LlamaCheckpoint ck = LlamaCheckpoint.open(checkpoint)) {
            LlamaConfig c = ck.config();
            Tokenizer tok = Tokenizer.load(tokenizerFile, c.vocabSize());
            String name = checkpoint.getFileName().toString().replaceFirst("\\.bin$", "");
            GgufWriter w = new GgufWriter()
                    .putString("general.architecture", "llama")
                    .putString("general.name", name)
                    .putUInt32("llama.context_length", c.seqLen())
                    .putUInt32("llama.embedding_length", c.dim())
                    .putUInt32("llama.block_count", c.layers())
                    .putUInt32("llama.feed_forward_length", c.hiddenDim())
                    .putUInt32("llama.attention.head_count", c.heads())
                    .putUInt32("llama.attention.head_count_kv", c.kvHeads())
                    .putUInt32("llama.rope.dimension_count", c.headSize())
                    .putFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f)
                    .putFloat32("llama.rope.freq_base", 10000f)
                    .putUInt32("llama.vocab_size", c.vocabSize());
            addVocabulary(w, tok);
            addTensors(w, ck);
            return w;
        }
    }

    private static void addVocabulary(GgufWriter w, Tokenizer tok) {
        int n = tok.vocabSize();
        List<String> tokens = new ArrayList<>(n);
        float[] scores = new float[n];
        int[] typesOut = new int[n];
        for (int id = 0; id < n; id++) {
            String text = new String(tok.token(id), StandardCharsets.UTF_8);
            int type = TOKEN_NORMAL;
            if (id == 0) {
                text = "<unk>";
                type = TOKEN_UNKNOWN;
            } else if (id == Tokenizer.BOS || id == Tokenizer.EOS) {
                text = id == Tokenizer.BOS ? "<s>" : "</s>";
                type = TOKEN_CONTROL;
            } else if (BYTE_TOKEN.matcher(text).matches()) {
                type = TOKEN_BYTE;
            }
            // llama2.c's export turned SentencePiece's U+2581 back into spaces; GGUF vocabularies keep it.
            tokens.add(text.replace(' ', '\u2581'));
            scores[id] = tok.score(id);
            typesOut[id] = type;
        }
        w.putString("tokenizer.ggml.model", "llama")
                .putStringArray("tokenizer.ggml.tokens", tokens)
                .putFloat32Array("tokenizer.ggml.scores", scores)
                .putInt32Array("tokenizer.ggml.token_type", typesOut)
                .putUInt32("tokenizer.ggml.bos_token_id", Tokenizer.BOS)
                .putUInt32("tokenizer.ggml.eos_token_id", Tokenizer.EOS)
                .putUInt32("tokenizer.ggml.unknown_token_id", 0)
                .putBool("tokenizer.ggml.add_bos_token", true)
                .putBool("tokenizer.ggml.add_eos_token", false);
    }

    private void addTensors(GgufWriter w, LlamaCheckpoint ck) {
        LlamaConfig c = ck.config();
        int d = c.dim(), h = c.hiddenDim(), kv = c.kvDim();
        add(w, "token_embd.weight", ck.tokenEmbedding(), c.vocabSize(), d);
        for (int l = 0; l < c.layers(); l++) {
            String p = "blk." + l + ".";
            add(w, p + "attn_norm.weight", ck.rmsAtt(l), 1, d);
            add(w, p + "attn_q.weight", ck.wq(l), d, d);
            add(w, p + "attn_k.weight", ck.wk(l), kv, d);
            add(w, p + "attn_v.weight", ck.wv(l), kv, d);
            add(w, p + "attn_output.weight", ck.wo(l), d, d);
            add(w, p + "ffn_norm.weight", ck.rmsFfn(l), 1, d);
            add(w, p + "ffn_gate.weight", ck.w1(l), h, d);
            add(w, p + "ffn_down.weight", ck.w2(l), d, h);
            add(w, p + "ffn_up.weight", ck.w3(l), h, d);
        }
        add(w, "output_norm.weight", ck.rmsFinal(), 1, d);
        if (!c.sharedClassifier()) {
            add(w, "output.weight", ck.classifier(), c.vocabSize(), d);
        }
    }

    private void add(GgufWriter w, String name, MemorySegment data, int rows, int cols) {
        GgmlType type = types.typeFor(name, rows, cols);
        long[] dims = rows == 1 ? new long[] {cols} : new long[] {cols, rows};
        w.addTensor(name, type, dims, quantizer.encode(type, LlamaCheckpoint.toFloats(data), cols));
    }
}
