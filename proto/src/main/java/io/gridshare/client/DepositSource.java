package io.gridshare.client;

import io.gridshare.chain.contracts.Channel;
import io.gridshare.chain.contracts.PaymentChannelsClient;
import java.math.BigInteger;

/**
 * Where the client learns how much a channel holds: it never signs a voucher above it. From the
 * chain when a connection is given ({@link #onChain}), else a configured cap ({@link #cap}).
 */
public interface DepositSource {

    /** The channel's deposit now. */
    BigInteger deposit(ChannelKey channel);

    /** The most already redeemed on chain from this channel (a floor for what was signed); zero if unknown. */
    default BigInteger redeemed(ChannelKey channel) {
        return BigInteger.ZERO;
    }

    /** The channel's payee, or null when unknown (then the client cannot check the gateway's payee). */
    default String payee(ChannelKey channel) {
        return null;
    }

    /** A fixed cap for every channel (no chain access). */
    static DepositSource cap(BigInteger cap) {
        return channel -> cap;
    }

    /** Reads the channel from PaymentChannels; a closed or unknown channel has no deposit to spend. */
    static DepositSource onChain(PaymentChannelsClient channels) {
        return new DepositSource() {
            @Override
            public BigInteger deposit(ChannelKey channel) {
                Channel state = read(channel);
                return state.exists() && !state.closed() ? state.deposit() : BigInteger.ZERO;
            }

            @Override
            public String payee(ChannelKey channel) {
                Channel state = read(channel);
                return state.exists() ? state.payee() : null;
            }

            @Override
            public BigInteger redeemed(ChannelKey channel) {
                return read(channel).redeemed();
            }

            private Channel read(ChannelKey channel) {
                if (!channel.contract().equalsIgnoreCase(channels.address())) {
                    throw new GridshareClientException(channel + " is not on the configured PaymentChannels "
                            + channels.address(), "use the contract address the gateway's network uses (--payment-channels)");
                }
                return channels.channel(channel.channelId());
            }
        };
    }
}
