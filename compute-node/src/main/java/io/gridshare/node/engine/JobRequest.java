package io.gridshare.node.engine;

import io.gridshare.node.chat.ChatMessage;
import java.util.List;
import java.util.Objects;

/**
 * One job as the engine sees it.
 *
 * @param jobId identifier used in logs and errors
 * @param prompt the prompt text (may be empty: generation starts from BOS)
 * @param emittedTokens tokens of this job already delivered to the tenant by another node or an
 *     earlier run; the engine continues after them exactly as an uninterrupted run would, and
 *     numbers new tokens from {@code emittedTokens.size()}
 * @param maxTokens the job's total output length, emitted tokens included
 * @param sampling temperature, top-p and seed
 * @param messages a chat conversation to render with the model's chat template instead of the
 *     prompt (then the prompt is empty); empty for a plain prompt job
 */
public record JobRequest(String jobId, String prompt, List<Integer> emittedTokens, int maxTokens,
                         SamplingParams sampling, List<ChatMessage> messages) {
    public JobRequest {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(prompt, "prompt");
        emittedTokens = List.copyOf(Objects.requireNonNull(emittedTokens, "emittedTokens"));
        Objects.requireNonNull(sampling, "sampling");
        messages = List.copyOf(Objects.requireNonNull(messages, "messages"));
        if (!messages.isEmpty() && !prompt.isEmpty()) {
            throw new IllegalArgumentException("job " + jobId + " has both a prompt and chat messages; send one of them");
        }
    }

    /** A plain prompt job (no chat messages). */
    public JobRequest(String jobId, String prompt, List<Integer> emittedTokens, int maxTokens, SamplingParams sampling) {
        this(jobId, prompt, emittedTokens, maxTokens, sampling, List.of());
    }

    /** Whether the engine must render {@link #messages()} with the model's chat template. */
    public boolean isChat() {
        return !messages.isEmpty();
    }

    /** A fresh job with nothing emitted yet. */
    public static JobRequest of(String jobId, String prompt, int maxTokens, SamplingParams sampling) {
        return new JobRequest(jobId, prompt, List.of(), maxTokens, sampling);
    }
}
