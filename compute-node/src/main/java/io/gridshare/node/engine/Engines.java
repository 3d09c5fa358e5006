package io.gridshare.node.engine;

import io.gridshare.node.chat.ChatFormat;
import io.gridshare.node.chat.ChatTemplate;
import io.gridshare.node.chat.ChatTemplateException;
import io.gridshare.node.model.Llama2cModel;
import io.gridshare.node.model.gguf.GgufModel;
import io.gridshare.node.model.gguf.GgufTokenizer;
import io.gridshare.node.tokenizer.Llama2cTextTokenizer;
import io.gridshare.node.tokenizer.TextTokenizer;
import io.gridshare.node.model.ModelFiles;
import io.gridshare.node.model.Sha256;
import io.gridshare.node.model.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;

/** Loads a model into an {@link InferenceEngine}: the entry point for the rest of the node. */
public final class Engines {

    private static final System.Logger LOG = System.getLogger(Engines.class.getName());

    private Engines() {}

    /** Loads a checkpoint and tokenizer without expected hashes; see {@link #load(ModelFiles, EngineConfig)}. */
    public static InferenceEngine load(Path checkpoint, Path tokenizer, EngineConfig config)
            throws IOException, BackendUnavailableException {
        return load(ModelFiles.of(checkpoint, tokenizer), config);
    }

    /**
     * Hashes and checks the files, maps the checkpoint, loads the tokenizer, chooses the backend
     * ({@link BackendSelector}) and returns a running engine.
     *
     * @throws io.gridshare.node.model.ModelFormatException naming the file: missing, truncated,
     *     corrupt, vocabulary mismatch between tokenizer and checkpoint, or sha256 mismatch
     * @throws BackendUnavailableException when CUDA was demanded and cannot run
     */
    public static InferenceEngine load(ModelFiles files, EngineConfig config)
            throws IOException, BackendUnavailableException {
        return load(files, config, new BackendSelector());
    }

    /**
     * Loads a model file: a GGUF file ({@code *.gguf}), or a llama2.c checkpoint ({@code *.bin})
     * with {@code tokenizer.bin} or the one {@code tok*.bin} beside it.
     *
     * @throws io.gridshare.node.model.ModelFormatException naming the file and what is wrong with it
     */
    public static InferenceEngine load(Path model, EngineConfig config) throws IOException, BackendUnavailableException {
        if (model.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".gguf")) {
            return loadGguf(model, null, config);
        }
        return load(ModelFiles.besideCheckpoint(model), config);
    }

    /**
     * Loads a GGUF model. {@code sha256} is the file's hash when the caller knows it (a
     * {@link io.gridshare.node.model.FileHashCache}); null hashes the file.
     */
    public static InferenceEngine loadGguf(Path file, String sha256, EngineConfig config)
            throws IOException, BackendUnavailableException {
        return loadGguf(file, sha256, config, new BackendSelector());
    }

    static InferenceEngine loadGguf(Path file, String sha256, EngineConfig config, BackendSelector selector)
            throws IOException, BackendUnavailableException {
        GgufModel model = GgufModel.open(file, config.contextLength());
        try {
            TextTokenizer tokenizer = GgufTokenizer.from(model.file());
            if (tokenizer.vocabSize() != model.config().vocabSize()) {
                throw new io.gridshare.node.model.ModelFormatException(file, "the tokenizer has " + tokenizer.vocabSize()
                        + " tokens but token_embd.weight has " + model.config().vocabSize() + " rows");
            }
            String hash = sha256 != null ? sha256 : Sha256.of(file);
            var md = model.file().metadata();
            String fileName = file.getFileName().toString();
            String name = md.string("general.name").filter(n -> !n.isBlank())
                    .orElse(fileName.substring(0, fileName.length() - ".gguf".length()));
            var c = model.config();
            ModelDescriptor descriptor = new ModelDescriptor(name, hash, hash, "", c.dim(), c.hiddenDim(), c.layers(),
                    c.heads(), c.kvHeads(), c.vocabSize(), c.seqLen(), model.params().architecture(), model.parameters(),
                    model.quantization(), md.contains("tokenizer.chat_template"));
            ForwardBackend backend = selector.select(model, config);
            return new LlamaEngine(descriptor, model, tokenizer, chatFormat(model, tokenizer), backend, config);
        } catch (IOException | BackendUnavailableException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * The model's chat template; a model without one (or with one this node cannot parse) still
     * serves completions, and its chat requests are refused saying why.
     */
    private static ChatFormat chatFormat(GgufModel model, TextTokenizer tokenizer) throws IOException {
        var md = model.file().metadata();
        java.util.Optional<String> source = md.string("tokenizer.chat_template");
        if (source.isEmpty()) {
            return ChatFormat.none("the model file has no chat template (tokenizer.chat_template); send a plain"
                    + " prompt (completions) instead");
        }
        try {
            ChatTemplate template = ChatTemplate.parse(source.get());
            String bos = tokenizer.bos() >= 0 ? tokenizer.piece(tokenizer.bos()) : "";
            String eos = tokenizer.eos() >= 0 ? tokenizer.piece(tokenizer.eos()) : "";
            return ChatFormat.template(template, bos, eos);
        } catch (ChatTemplateException e) {
            LOG.log(System.Logger.Level.WARNING, "chat template of " + model.path() + " not usable: " + e.getMessage());
            return ChatFormat.none("the model's chat template cannot be used here (" + e.getMessage()
                    + "); send a plain prompt (completions) instead");
        }
    }

    static InferenceEngine load(ModelFiles files, EngineConfig config, BackendSelector selector)
            throws IOException, BackendUnavailableException {
        String[] hashes = files.verifiedHashes();
        Llama2cModel checkpoint = Llama2cModel.open(files.checkpoint());
        try {
            TextTokenizer tokenizer = new Llama2cTextTokenizer(Tokenizer.load(files.tokenizer(), checkpoint.config().vocabSize()));
            ForwardBackend backend = selector.select(checkpoint, config);
            var c = checkpoint.config();
            ModelDescriptor descriptor = new ModelDescriptor(files.name(), Sha256.modelHash(hashes[0], hashes[1]),
                    hashes[0], hashes[1], c.dim(), c.hiddenDim(), c.layers(), c.heads(), c.kvHeads(), c.vocabSize(), c.seqLen());
            return new LlamaEngine(descriptor, checkpoint, tokenizer, backend, config);
        } catch (IOException | BackendUnavailableException | RuntimeException e) {
            checkpoint.close();
            throw e;
        }
    }
}
