package io.gridshare.node.link;

import io.gridshare.proto.v1.Challenge;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Objects;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Sign;

/**
 * The node's key: its identity in NodeRegistry and towards gateways. Signs the gateway's
 * challenge with EIP-191 personal_sign, the scheme wallets and the gateway's web3j verify.
 */
public final class NodeKey {

    private final Credentials credentials;

    public NodeKey(Credentials credentials) {
        this.credentials = Objects.requireNonNull(credentials, "credentials");
    }

    /** The node's 0x address (lowercase hex), as registered in NodeRegistry. */
    public String address() {
        return credentials.getAddress();
    }

    /**
     * The exact text the node signs for a challenge: {@code "gridshare-node-link:v1:" + gateway_id
     * + ":" + chain_id + ":" + lowercase hex(nonce)} (see node_link.proto, Hello).
     */
    public static String challengeText(Challenge challenge) {
        return "gridshare-node-link:v1:" + challenge.getGatewayId() + ":"
                + Long.toUnsignedString(challenge.getChainId()) + ":"
                + HexFormat.of().formatHex(challenge.getNonce().toByteArray());
    }

    /** The 65-byte signature r || s || v (v in {27, 28}) over {@link #challengeText}. */
    public byte[] signChallenge(Challenge challenge) {
        Sign.SignatureData sig = Sign.signPrefixedMessage(
                challengeText(challenge).getBytes(StandardCharsets.UTF_8), credentials.getEcKeyPair());
        byte[] out = new byte[65];
        System.arraycopy(sig.getR(), 0, out, 0, 32);
        System.arraycopy(sig.getS(), 0, out, 32, 32);
        out[64] = sig.getV()[0];
        return out;
    }

    @Override
    public String toString() {
        return "NodeKey[" + address() + "]";
    }
}
