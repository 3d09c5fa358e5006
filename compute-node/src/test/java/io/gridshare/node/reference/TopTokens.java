package io.gridshare.node.reference;

import java.util.Arrays;

/**
 * The most likely next tokens at one position, most likely first, with their natural-log
 * probabilities under the model's full softmax (no temperature, no truncation before the softmax).
 */
public record TopTokens(int[] ids, float[] logprobs) {

    public TopTokens {
        if (ids.length != logprobs.length) {
            throw new IllegalArgumentException(ids.length + " ids but " + logprobs.length + " log-probabilities");
        }
    }

    /** The argmax token: what greedy decoding picks here. */
    public int top() {
        return ids[0];
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TopTokens that && Arrays.equals(ids, that.ids) && Arrays.equals(logprobs, that.logprobs);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ids) + Arrays.hashCode(logprobs);
    }

    @Override
    public String toString() {
        return "TopTokens" + Arrays.toString(ids) + Arrays.toString(logprobs);
    }
}
