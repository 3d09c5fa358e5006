package io.gridshare.client;

import java.util.List;

/**
 * Consecutive tokens as they arrive.
 *
 * @param text the text they add
 * @param tokenIds their ids
 * @param index position of the first of them in the job's output (0-based)
 * @param logProbs natural-log probability of each, aligned with tokenIds (may be empty)
 */
public record TokenChunk(String text, List<Integer> tokenIds, int index, List<Float> logProbs) {
    public TokenChunk {
        tokenIds = List.copyOf(tokenIds);
        logProbs = List.copyOf(logProbs);
    }
}
