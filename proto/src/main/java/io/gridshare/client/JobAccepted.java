package io.gridshare.client;

import java.math.BigInteger;

/**
 * The gateway's acceptance of a job.
 *
 * @param jobId the job's id
 * @param nodeId the node (0x key) serving it first
 * @param modelHash the model's sha256
 * @param pricePerToken what the tenant pays per token (base units)
 * @param creditWindowTokens tokens streamed ahead of the latest voucher
 * @param payee the gateway's address, payee of the tenant's channel
 * @param seed the sampling seed used
 * @param promptTokens tokens in the prompt
 */
public record JobAccepted(String jobId, String nodeId, String modelHash, BigInteger pricePerToken,
                          int creditWindowTokens, String payee, long seed, int promptTokens) {
}
