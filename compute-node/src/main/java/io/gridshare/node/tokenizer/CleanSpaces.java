package io.gridshare.node.tokenizer;

import java.util.Arrays;

/**
 * llama.cpp's clean_up_tokenization_spaces passes over detokenized bytes: drop the space in
 * " ?", " !", " .", " ,"; drop both spaces around a lone " ' "; drop the space before "'s",
 * "'m", "'re", "'ve".
 */
final class CleanSpaces {

    private CleanSpaces() {
    }

    static byte[] apply(byte[] in) {
        byte[] t = in.clone();
        int total = t.length;
        int n1 = total;
        total = total > 0 ? 1 : 0;
        for (int i = 1; i < n1; i++) {
            byte x = t[i];
            if (t[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',')) {
                total--;
            }
            t[total++] = x;
        }
        int n2 = total;
        total = total > 0 ? 1 : 0;
        for (int i = 1; i < n2; i++) {
            byte x = t[i];
            if (x == '\'' && i + 1 < n2 && t[i - 1] == ' ' && t[i + 1] == ' ') {
                total--;
                t[++i] = 0;
            }
            t[total++] = x;
        }
        int n3 = total;
        total = total > 0 ? 1 : 0;
        for (int i = 1; i < n3; i++) {
            byte x = t[i];
            if (t[i - 1] == ' ' && x == '\'' && i + 1 < n3) {
                byte x1 = t[i + 1];
                if (x1 == 's' || x1 == 'm') {
                    total--;
                } else if (i + 2 < n3) {
                    byte x2 = t[i + 2];
                    if ((x1 == 'r' && x2 == 'e') || (x1 == 'v' && x2 == 'e')) {
                        total--;
                    }
                }
            }
            t[total++] = x;
        }
        return Arrays.copyOf(t, total);
    }
}
