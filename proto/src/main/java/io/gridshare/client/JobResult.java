package io.gridshare.client;

import io.gridshare.proto.v1.FinishReason;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;

/**
 * A finished job.
 *
 * @param accepted the gateway's acceptance (price, payee, node)
 * @param text the generated text
 * @param tokenIds the generated token ids
 * @param receipt the verified receipt
 * @param finishReason why generation stopped
 * @param promptTokens prompt tokens (usage)
 * @param completionTokens generated tokens (usage)
 * @param paid what this job's vouchers added to the channel's cumulative amount (base units)
 * @param highestSigned the channel's cumulative amount after the job (zero for a free job)
 * @param timeToFirstToken from sending the request to the first token
 * @param tokensPerSecond generated tokens per second, from the first token to the last
 */
public record JobResult(JobAccepted accepted, String text, List<Integer> tokenIds, JobReceipt receipt,
                        FinishReason finishReason, int promptTokens, int completionTokens, BigInteger paid,
                        BigInteger highestSigned, Duration timeToFirstToken, double tokensPerSecond) {
    public JobResult {
        tokenIds = List.copyOf(tokenIds);
    }
}
