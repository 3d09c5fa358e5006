package io.gridshare.chain.voucher;

import java.math.BigInteger;
import java.util.Arrays;
import org.web3j.utils.Numeric;

/**
 * A signed promise that the payee of a channel is owed {@code cumulativeAmount} in total (not an
 * increment): a later voucher supersedes an earlier one.
 *
 * @param channelId the channel
 * @param cumulativeAmount total owed so far, in token base units
 * @param signature 65 bytes r‖s‖v, v = 27 or 28
 */
public record Voucher(BigInteger channelId, BigInteger cumulativeAmount, byte[] signature) {

    public Voucher {
        signature = signature.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    public String signatureHex() {
        return Numeric.toHexString(signature);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Voucher v && channelId.equals(v.channelId) && cumulativeAmount.equals(v.cumulativeAmount)
                && Arrays.equals(signature, v.signature);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * channelId.hashCode() + cumulativeAmount.hashCode()) + Arrays.hashCode(signature);
    }

    @Override
    public String toString() {
        return "Voucher[channelId=" + channelId + ", cumulativeAmount=" + cumulativeAmount + ", signature=" + signatureHex() + "]";
    }
}
