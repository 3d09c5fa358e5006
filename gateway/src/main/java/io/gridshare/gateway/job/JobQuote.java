package io.gridshare.gateway.job;

import io.gridshare.proto.v1.ChannelRef;
import java.math.BigInteger;

/**
 * A job as accepted: what the tenant pays and how far the stream may run ahead of a voucher.
 *
 * @param jobId the job
 * @param modelHash the model served
 * @param pricePerToken what the tenant pays per token (node price + gateway fee), base units
 * @param nodePricePerToken what the node charges per token
 * @param channel the tenant's channel, or null when the request named none
 * @param creditWindowTokens tokens streamed ahead of the latest voucher
 */
public record JobQuote(String jobId, String modelHash, BigInteger pricePerToken, BigInteger nodePricePerToken,
                       ChannelRef channel, int creditWindowTokens) {}
