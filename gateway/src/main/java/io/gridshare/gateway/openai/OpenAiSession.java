package io.gridshare.gateway.openai;

import io.gridshare.client.ChannelKey;
import java.io.IOException;
import java.io.Reader;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import org.web3j.crypto.Credentials;

/**
 * A delegated session: an API key an OpenAI client presents, the tenant's channel to this gateway
 * that pays for its jobs, and the hot session key that channel names as its {@code signer}. The
 * tenant's exposure is bounded by that channel's deposit, so a session key must only ever sign for
 * a channel whose deposit is what the tenant is willing to delegate.
 *
 * @param name the session's name in the sessions file
 * @param apiKey the bearer token OpenAI clients send
 * @param channel the paying channel (payee = this gateway, signer = {@code sessionKey})
 * @param sessionKey the key that signs the channel's vouchers
 */
public record OpenAiSession(String name, String apiKey, ChannelKey channel, Credentials sessionKey) {

    /** Config key naming the sessions file. */
    public static final String SESSIONS_FILE = "gridshare.openai.sessions-file";

    @Override
    public String toString() {
        return "session " + name + " on " + channel + " (signer " + sessionKey.getAddress() + ")"; // never the keys
    }

    /**
     * Reads a sessions file: {@code session.<name>.api-key}, {@code session.<name>.channel-id},
     * {@code session.<name>.private-key} per session. Channels are on this gateway's chain and
     * PaymentChannels contract.
     *
     * @return the sessions by API key
     * @throws IllegalArgumentException a session lacks a key, has a malformed one, or reuses an API key
     */
    public static Map<String, OpenAiSession> load(Path file, long chainId, String paymentChannels) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + SESSIONS_FILE + " " + file + ": " + e.getMessage()
                    + "; fix the path or remove the setting", e);
        }
        TreeSet<String> names = new TreeSet<>();
        for (String key : p.stringPropertyNames()) {
            String[] parts = key.split("\\.");
            if (parts.length != 3 || !parts[0].equals("session")
                    || !java.util.Set.of("api-key", "channel-id", "private-key").contains(parts[2])) {
                throw new IllegalArgumentException(file + ": unknown key '" + key + "'; entries are session.<name>."
                        + "api-key, session.<name>.channel-id and session.<name>.private-key");
            }
            names.add(parts[1]);
        }
        Map<String, OpenAiSession> byApiKey = new HashMap<>();
        for (String name : names) {
            String apiKey = required(p, file, name, "api-key");
            String channelId = required(p, file, name, "channel-id");
            String privateKey = required(p, file, name, "private-key");
            BigInteger id;
            try {
                id = new BigInteger(channelId.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(file + ": session." + name + ".channel-id must be a decimal channel id, was '"
                        + channelId + "'");
            }
            if (!privateKey.trim().matches("(0x)?[0-9a-fA-F]{64}")) {
                throw new IllegalArgumentException(file + ": session." + name + ".private-key must be 32 bytes of hex");
            }
            OpenAiSession s = new OpenAiSession(name, apiKey.trim(), new ChannelKey(chainId, paymentChannels, id),
                    Credentials.create(privateKey.trim()));
            if (byApiKey.put(s.apiKey(), s) != null) {
                throw new IllegalArgumentException(file + ": session." + name + ".api-key is used by another session");
            }
        }
        return Map.copyOf(byApiKey);
    }

    private static String required(Properties p, Path file, String name, String field) {
        String v = p.getProperty("session." + name + "." + field);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException(file + ": session." + name + "." + field + " is missing");
        }
        return v;
    }
}
