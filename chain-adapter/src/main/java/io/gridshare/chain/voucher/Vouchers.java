package io.gridshare.chain.voucher;

import io.gridshare.chain.InvalidVoucherException;
import io.gridshare.chain.InvalidVoucherException.Reason;
import java.math.BigInteger;
import java.security.SignatureException;
import java.util.Locale;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;
import org.web3j.utils.Numeric;

/**
 * Signs and verifies EIP-712 vouchers exactly as PaymentChannels (OpenZeppelin ECDSA) does:
 * 65-byte r‖s‖v signatures, v 27 or 28, s in the lower half of the curve order.
 */
public final class Vouchers {
    /** secp256k1 order / 2: OpenZeppelin refuses signatures with a higher s (malleability). */
    static final BigInteger HALF_ORDER = Sign.CURVE_PARAMS.getN().shiftRight(1);

    private Vouchers() {
    }

    /** Signs a voucher for {@code cumulativeAmount} on {@code channelId} in {@code domain}. */
    public static Voucher sign(VoucherDomain domain, BigInteger channelId, BigInteger cumulativeAmount, Credentials signer) {
        if (cumulativeAmount.signum() <= 0) {
            throw new IllegalArgumentException("A voucher's cumulative amount must be positive, was " + cumulativeAmount);
        }
        byte[] digest = domain.digest(channelId, cumulativeAmount);
        // web3j signs with canonical (low) s; needToHash=false because the digest is final
        Sign.SignatureData sig = Sign.signMessage(digest, signer.getEcKeyPair(), false);
        byte[] signature = new byte[65];
        System.arraycopy(sig.getR(), 0, signature, 0, 32);
        System.arraycopy(sig.getS(), 0, signature, 32, 32);
        signature[64] = sig.getV()[0];
        return new Voucher(channelId, cumulativeAmount, signature);
    }

    /**
     * Recovers the signer's checksummed address.
     *
     * @throws InvalidVoucherException (MALFORMED_SIGNATURE) for a wrong length, v, high s, or an
     *     unrecoverable signature
     */
    public static String recoverSigner(VoucherDomain domain, Voucher voucher) {
        byte[] signature = voucher.signature();
        if (signature.length != 65) {
            throw malformed(voucher, "is " + signature.length + " bytes long, not 65 (r‖s‖v)");
        }
        byte v = signature[64];
        if (v != 27 && v != 28) {
            throw malformed(voucher, "has v = " + (v & 0xff) + "; only 27 or 28 are valid");
        }
        byte[] r = java.util.Arrays.copyOfRange(signature, 0, 32);
        byte[] s = java.util.Arrays.copyOfRange(signature, 32, 64);
        BigInteger sValue = Numeric.toBigInt(s);
        if (sValue.signum() == 0 || sValue.compareTo(HALF_ORDER) > 0) {
            throw malformed(voucher, "has s in the upper half of the curve order (a malleated signature)");
        }
        if (Numeric.toBigInt(r).signum() == 0) {
            throw malformed(voucher, "has r = 0");
        }
        byte[] digest = domain.digest(voucher.channelId(), voucher.cumulativeAmount());
        try {
            BigInteger publicKey = Sign.signedMessageHashToKey(digest, new Sign.SignatureData(v, r, s));
            return Keys.toChecksumAddress(Keys.getAddress(publicKey));
        } catch (SignatureException | RuntimeException e) {
            throw malformed(voucher, "does not recover to any key: " + e.getMessage());
        }
    }

    /**
     * Checks that {@code voucher} was signed by {@code expectedSigner} in {@code domain}.
     *
     * @throws InvalidVoucherException MALFORMED_SIGNATURE or WRONG_SIGNER (which also covers a
     *     voucher signed for another chain or contract: it recovers to a different address)
     */
    public static void verify(VoucherDomain domain, Voucher voucher, String expectedSigner) {
        String recovered = recoverSigner(domain, voucher);
        if (!recovered.toLowerCase(Locale.ROOT).equals(expectedSigner.toLowerCase(Locale.ROOT))) {
            throw new InvalidVoucherException(Reason.WRONG_SIGNER, "Voucher for channel " + voucher.channelId()
                    + " (cumulative " + voucher.cumulativeAmount() + ") recovers to " + recovered + ", not to the channel's signer "
                    + expectedSigner + " in domain chainId=" + domain.chainId() + ", contract=" + domain.verifyingContract()
                    + ": it was signed by another key or for another chain or contract");
        }
    }

    private static InvalidVoucherException malformed(Voucher voucher, String problem) {
        return new InvalidVoucherException(Reason.MALFORMED_SIGNATURE,
                "Voucher signature for channel " + voucher.channelId() + " " + problem);
    }
}
