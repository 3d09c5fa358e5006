package io.gridshare.client;

import io.gridshare.chain.voucher.VoucherDomain;
import io.gridshare.proto.v1.ChannelRef;
import java.math.BigInteger;
import java.util.Locale;

/**
 * Names one payment channel on one chain: the chain id, the PaymentChannels contract and the
 * channel id. Vouchers are bound to all three.
 *
 * @param chainId the chain's id
 * @param contract the PaymentChannels address (0x hex)
 * @param channelId the channel id
 */
public record ChannelKey(long chainId, String contract, BigInteger channelId) {

    public ChannelKey {
        if (contract == null || !contract.matches("0x[0-9a-fA-F]{40}")) {
            throw new IllegalArgumentException("PaymentChannels contract must be a 0x-prefixed 20-byte address, was " + contract);
        }
        if (channelId == null || channelId.signum() < 0) {
            throw new IllegalArgumentException("channel id must be a non-negative integer, was " + channelId);
        }
        contract = contract.toLowerCase(Locale.ROOT);
    }

    /** The EIP-712 domain vouchers of this channel are signed in. */
    public VoucherDomain domain() {
        return new VoucherDomain(chainId, contract);
    }

    public ChannelRef toProto() {
        return ChannelRef.newBuilder().setChainId(chainId).setContract(contract).setChannelId(channelId.toString()).build();
    }

    public static ChannelKey fromProto(ChannelRef ref) {
        return new ChannelKey(ref.getChainId(), ref.getContract(), new BigInteger(ref.getChannelId()));
    }

    /** A file name that identifies the channel (used by {@link FileChannelLedger}). */
    public String fileName() {
        return chainId + "-" + contract + "-" + channelId + ".signed";
    }

    @Override
    public String toString() {
        return "channel " + channelId + " (chain " + chainId + ", PaymentChannels " + contract + ")";
    }
}
