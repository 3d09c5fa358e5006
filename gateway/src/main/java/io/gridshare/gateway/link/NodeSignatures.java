package io.gridshare.gateway.link;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SignatureException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;

/**
 * The node-link handshake signature: an EIP-191 personal_sign over
 * {@code "gridshare-node-link:v1:" + gatewayId + ":" + chainId + ":" + hex(nonce)}.
 */
public final class NodeSignatures {

    private NodeSignatures() {}

    /** The exact text a node signs for a challenge. */
    public static String challengeText(String gatewayId, long chainId, byte[] nonce) {
        return "gridshare-node-link:v1:" + gatewayId + ":" + Long.toUnsignedString(chainId) + ":"
                + HexFormat.of().formatHex(nonce);
    }

    /**
     * Recovers the 0x address (lowercase) that signed the challenge text, or empty when the signature
     * is malformed or does not recover.
     */
    public static Optional<String> recoverSigner(String text, byte[] signature) {
        if (signature == null || signature.length != 65) {
            return Optional.empty();
        }
        byte v = signature[64];
        if (v < 27) {
            v += 27; // some signers emit the recovery id 0/1 rather than 27/28
        }
        if (v != 27 && v != 28) {
            return Optional.empty();
        }
        Sign.SignatureData data = new Sign.SignatureData(v, Arrays.copyOfRange(signature, 0, 32),
                Arrays.copyOfRange(signature, 32, 64));
        try {
            BigInteger publicKey = Sign.signedPrefixedMessageToKey(text.getBytes(StandardCharsets.UTF_8), data);
            return Optional.of("0x" + Keys.getAddress(publicKey).toLowerCase(Locale.ROOT));
        } catch (SignatureException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Signs the challenge text as a node would (tests, simulated nodes). 65 bytes r||s||v. */
    public static byte[] sign(String text, org.web3j.crypto.ECKeyPair key) {
        Sign.SignatureData s = Sign.signPrefixedMessage(text.getBytes(StandardCharsets.UTF_8), key);
        byte[] out = new byte[65];
        System.arraycopy(s.getR(), 0, out, 0, 32);
        System.arraycopy(s.getS(), 0, out, 32, 32);
        out[64] = s.getV()[0];
        return out;
    }
}
