package io.gridshare.client;

import io.gridshare.chain.voucher.Voucher;
import io.gridshare.chain.voucher.Vouchers;
import java.math.BigInteger;
import org.web3j.crypto.Credentials;

/** Signs vouchers for the tenant's channels: the key must be the channel's {@code signer}. */
public interface VoucherSigner {

    /** The signer's address (0x hex); a channel must name it as signer. */
    String address();

    /** Signs {@code Voucher(channelId, cumulativeAmount)} in the channel's EIP-712 domain. */
    Voucher sign(ChannelKey channel, BigInteger cumulativeAmount);

    /** EIP-712 signatures with a session key held in memory. */
    static VoucherSigner of(Credentials sessionKey) {
        return new VoucherSigner() {
            @Override
            public String address() {
                return sessionKey.getAddress();
            }

            @Override
            public Voucher sign(ChannelKey channel, BigInteger cumulativeAmount) {
                return Vouchers.sign(channel.domain(), channel.channelId(), cumulativeAmount, sessionKey);
            }
        };
    }
}
