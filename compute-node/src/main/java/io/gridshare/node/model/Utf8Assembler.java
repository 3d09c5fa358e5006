package io.gridshare.node.model;

/**
 * Turns a stream of byte pieces into text, holding back the bytes of a code point that is not
 * complete yet so that a character split across tokens is delivered whole with the token that
 * completes it. Bytes that can never form valid UTF-8 become U+FFFD, one per byte. Not
 * thread-safe; one per job.
 */
public final class Utf8Assembler {

    private final byte[] pending = new byte[4];
    private int pendingLength;

    /** Appends bytes and returns the text they complete (possibly empty). */
    public String append(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            int u = b & 0xFF;
            if (pendingLength > 0) {
                if ((u & 0xC0) == 0x80 && continuationAllowed(u)) {
                    pending[pendingLength++] = b;
                    if (pendingLength == expectedLength(pending[0] & 0xFF)) {
                        out.append(new String(pending, 0, pendingLength, java.nio.charset.StandardCharsets.UTF_8));
                        pendingLength = 0;
                    }
                    continue;
                }
                // an incomplete sequence interrupted: each of its bytes is invalid
                out.append("\uFFFD".repeat(pendingLength));
                pendingLength = 0;
            }
            if (u < 0x80) {
                out.append((char) u);
            } else if (expectedLength(u) > 1) {
                pending[pendingLength++] = b;
            } else {
                out.append('\uFFFD');
            }
        }
        return out.toString();
    }

    /** Ends the stream: bytes still held back are invalid and become U+FFFD. */
    public String finish() {
        String rest = "\uFFFD".repeat(pendingLength);
        pendingLength = 0;
        return rest;
    }

    /** Whether bytes are held back waiting for the rest of a code point. */
    public boolean hasPending() {
        return pendingLength > 0;
    }

    private static int expectedLength(int lead) {
        if (lead >= 0xC2 && lead <= 0xDF) {
            return 2;
        }
        if (lead >= 0xE0 && lead <= 0xEF) {
            return 3;
        }
        if (lead >= 0xF0 && lead <= 0xF4) {
            return 4;
        }
        return 1; // ASCII, a stray continuation byte, or a lead byte UTF-8 never uses
    }

    /** Rejects overlong and out-of-range forms at the second byte, as the Unicode standard asks. */
    private boolean continuationAllowed(int u) {
        if (pendingLength != 1) {
            return true;
        }
        int lead = pending[0] & 0xFF;
        return switch (lead) {
            case 0xE0 -> u >= 0xA0;
            case 0xED -> u <= 0x9F;
            case 0xF0 -> u >= 0x90;
            case 0xF4 -> u <= 0x8F;
            default -> true;
        };
    }
}
