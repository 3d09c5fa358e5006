package io.gridshare.node.engine;

import io.gridshare.node.model.Llama2cModel;
import io.gridshare.node.model.ModelFiles;
import io.gridshare.node.model.Sha256;
import io.gridshare.node.model.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;

/** Loads a model into an {@link InferenceEngine}: the entry point for the rest of the node. */
public final class Engines {

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

    static InferenceEngine load(ModelFiles files, EngineConfig config, BackendSelector selector)
            throws IOException, BackendUnavailableException {
        String[] hashes = files.verifiedHashes();
        Llama2cModel checkpoint = Llama2cModel.open(files.checkpoint());
        try {
            Tokenizer tokenizer = Tokenizer.load(files.tokenizer(), checkpoint.config().vocabSize());
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
