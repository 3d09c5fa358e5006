package io.gridshare.node.engine;

/** Why a job stopped. */
public enum FinishReason {
    /** The model produced EOS (or BOS). */
    STOP,
    /** maxTokens reached, or the context is full. */
    LENGTH,
    /** {@link Job#cancel()} was called. */
    CANCELLED,
    /** The engine failed; see {@link JobOutcome#error()}. */
    ERROR
}
