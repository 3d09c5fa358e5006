package io.gridshare.gateway.observe;

import io.gridshare.chain.InvalidVoucherException;
import java.util.Locale;

/**
 * Why the gateway did not count a tenant's voucher: a fixed set, so that a metric tagged with it
 * stays small whatever the tenants send.
 */
public enum VoucherRejection {
    /** Not signed by the channel's signer, for this chain and contract, or not a signature at all. */
    BAD_SIGNATURE,
    /** Not above the latest voucher of the channel: a replay (ignored, the stream goes on). */
    NOT_HIGHER,
    /** More than the channel's deposit. */
    OVERDRAFT,
    /** Names another channel than the job's, a channel that does not exist, or one paying someone else. */
    WRONG_CHANNEL,
    /** The channel is closing or closed. */
    CHANNEL_CLOSED,
    /** The amount is not a positive base-10 uint256. */
    MALFORMED,
    /** The chain could not be read or the voucher could not be stored: not the tenant's fault. */
    UNAVAILABLE;

    /** The value of the {@code reason} tag: the name in lower case. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The rejection a chain adapter refusal stands for. */
    public static VoucherRejection of(InvalidVoucherException.Reason reason) {
        return switch (reason) {
            case MALFORMED_SIGNATURE, WRONG_SIGNER, WRONG_DOMAIN -> BAD_SIGNATURE;
            case NOT_HIGHER -> NOT_HIGHER;
            case EXCEEDS_DEPOSIT -> OVERDRAFT;
            case UNKNOWN_CHANNEL, WRONG_PAYEE -> WRONG_CHANNEL;
            case CHANNEL_CLOSED -> CHANNEL_CLOSED;
        };
    }
}
