package io.gridshare.node.engine;

/**
 * A loaded model. A model is identified by the sha256 of its files: {@code modelHash} is the
 * sha256 (lowercase hex) of the UTF-8 text {@code checkpointSha256 + ":" + tokenizerSha256}.
 */
public record ModelDescriptor(String name, String modelHash, String checkpointSha256, String tokenizerSha256,
                              int dim, int hiddenDim, int layers, int heads, int kvHeads, int vocabSize,
                              int contextLength) {}
