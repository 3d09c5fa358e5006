package io.gridshare.client;

import io.gridshare.proto.v1.NodeShare;
import io.gridshare.proto.v1.Receipt;
import java.math.BigInteger;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the tenant paid for one job, as the gateway reported it and the client verified it.
 *
 * @param jobId the job
 * @param tokens tokens delivered
 * @param amount tokens × pricePerToken (base units)
 * @param pricePerToken the quoted price
 * @param channel the paying channel (null for a free job)
 * @param nodeIds every node that produced tokens, in order
 * @param modelHash the model's sha256
 * @param nodeTokens how many of the tokens each node produced (what the gateway pays it for), in the
 *     order of {@code nodeIds}
 */
public record JobReceipt(String jobId, int tokens, BigInteger amount, BigInteger pricePerToken, ChannelKey channel,
                         List<String> nodeIds, String modelHash, Map<String, Integer> nodeTokens) {
    public JobReceipt {
        nodeIds = List.copyOf(nodeIds);
        nodeTokens = Collections.unmodifiableMap(new LinkedHashMap<>(nodeTokens));
    }

    static JobReceipt fromProto(Receipt receipt) {
        return new JobReceipt(receipt.getJobId(), receipt.getTokens(), amount(receipt.getAmount().getBaseUnits()),
                amount(receipt.getPricePerToken().getBaseUnits()),
                receipt.hasChannel() && !receipt.getChannel().getContract().isEmpty()
                        ? ChannelKey.fromProto(receipt.getChannel()) : null,
                receipt.getNodeIdsList(), receipt.getModelHash(), nodeTokens(receipt));
    }

    private static Map<String, Integer> nodeTokens(Receipt receipt) {
        Map<String, Integer> shares = new LinkedHashMap<>();
        for (NodeShare share : receipt.getNodeSharesList()) {
            shares.merge(share.getNodeId(), share.getTokens(), Integer::sum);
        }
        return shares;
    }

    static BigInteger amount(String baseUnits) {
        if (baseUnits == null || baseUnits.isEmpty()) {
            return BigInteger.ZERO;
        }
        try {
            BigInteger value = new BigInteger(baseUnits);
            if (value.signum() < 0) {
                throw new NumberFormatException("negative");
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ProtocolViolationException("the gateway sent a malformed amount \"" + baseUnits + "\"");
        }
    }
}
