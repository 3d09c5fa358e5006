package io.gridshare.node.engine;

import io.gridshare.node.model.Utf8Assembler;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One job inside the {@link StepLoop}: the tokens still to feed (prompt, then the tokens already
 * delivered by an earlier run), the token sampled and not yet delivered, and its slot. Touched only
 * by the loop's thread once admitted, except {@link #cancel()}.
 */
final class ActiveJob implements Job {

    /** Where a job is. */
    enum Phase {
        /** Feeding its prompt (and earlier output), a chunk per step. */
        PREFILL,
        /** Logits of the last fed token are ready: sample and deliver the next token. */
        SAMPLE,
        /** A sampled token waits for its sink to accept it. */
        DELIVER,
        /** The delivered token must be fed. */
        DECODE
    }

    final JobRequest request;
    final TokenSink sink;
    final int[] feed;
    final int promptTokens;
    /** Worst-case KV blocks: what admission reserved for the job. */
    final int blocks;
    /** Set at admission (before the loop sees the job); null while the job waits. */
    LlamaEngine.SlotContext slot;
    final Utf8Assembler utf8 = new Utf8Assembler();
    final long submittedNanos = System.nanoTime();
    private final CompletableFuture<JobOutcome> completion = new CompletableFuture<>();
    private volatile boolean cancelled;
    private final java.util.function.Consumer<ActiveJob> changed;

    Phase phase;
    /** Positions fed so far (also the position of the next token). */
    int fed;
    /** Tokens of output so far, those of an earlier run included. */
    int generated;
    /** The last token fed or sampled: the context of the next detokenized piece. */
    int previous;
    /** The sampled token waiting in {@link Phase#DELIVER}. */
    int pending;
    float pendingLogProbability;
    long firstTokenNanos;

    /**
     * @param blocks the KV blocks of the job's worst case
     * @param changed told when the job is cancelled (to wake the loop, or drop the job from the queue)
     */
    ActiveJob(JobRequest request, TokenSink sink, int[] prompt, int blocks, java.util.function.Consumer<ActiveJob> changed,
              TokenizerView tokenizer) {
        this.request = request;
        this.sink = sink;
        this.blocks = blocks;
        this.changed = changed;
        this.promptTokens = prompt.length;
        List<Integer> emitted = request.emittedTokens();
        this.feed = new int[prompt.length + emitted.size()];
        System.arraycopy(prompt, 0, feed, 0, prompt.length);
        int prev = prompt[prompt.length - 1];
        for (int i = 0; i < emitted.size(); i++) {
            int t = emitted.get(i);
            feed[prompt.length + i] = t;
            // replaying the delivered text keeps a character split across the resume point whole
            utf8.append(tokenizer.decode(prev, t));
            prev = t;
        }
        this.previous = prev;
        this.generated = emitted.size();
        this.phase = Phase.PREFILL;
    }

    /** The engine's tokenizer as the job needs it. */
    interface TokenizerView {
        byte[] decode(int previous, int token);
    }

    @Override
    public String id() {
        return request.jobId();
    }

    @Override
    public void cancel() {
        cancelled = true;
        changed.accept(this);
    }

    boolean cancelled() {
        return cancelled;
    }

    @Override
    public CompletableFuture<JobOutcome> completion() {
        return completion;
    }

    void complete(JobOutcome outcome) {
        completion.complete(outcome);
    }
}
