package io.gridshare.node.tokenizer;

import java.util.List;

/**
 * llama.cpp's hand-written equivalents of the GPT-2 and Llama 3 pre-tokenizer expressions
 * (unicode_regex_split_custom_gpt2 / _llama3). They differ from a regex engine in small ways this
 * class keeps: "\s+(?!\S)" is decided by counting whitespace, and a code point outside the piece
 * has no category at all.
 */
final class CustomSplitters {

    private CustomSplitters() {
    }

    /** Appends the lengths of the words of {@code cps[from, to)} under GPT-2's expression. */
    static void gpt2(int[] cps, int from, int to, List<Integer> out) {
        Piece p = new Piece(cps, from, to, out);
        int pos = from;
        while (pos < to) {
            int cpt = cps[pos];
            if (cpt == '\'' && pos + 1 < to) {
                int next = cps[pos + 1];
                if (next == 's' || next == 't' || next == 'm' || next == 'd') {
                    pos = p.add(pos + 2);
                    continue;
                }
                if (pos + 2 < to) {
                    int nn = cps[pos + 2];
                    if ((next == 'r' && nn == 'e') || (next == 'v' && nn == 'e') || (next == 'l' && nn == 'l')) {
                        pos = p.add(pos + 3);
                        continue;
                    }
                }
            }
            int look = cpt == ' ' ? pos + 1 : pos;
            if (p.letter(look)) {
                pos = look;
                while (p.letter(pos)) {
                    pos++;
                }
                pos = p.add(pos);
                continue;
            }
            if (p.number(look)) {
                pos = look;
                while (p.number(pos)) {
                    pos++;
                }
                pos = p.add(pos);
                continue;
            }
            if (p.other(look)) {
                pos = look;
                while (p.other(pos)) {
                    pos++;
                }
                pos = p.add(pos);
                continue;
            }
            pos = p.whitespace(pos, false);
        }
    }

    /** Appends the lengths of the words of {@code cps[from, to)} under Llama 3's expression. */
    static void llama3(int[] cps, int from, int to, List<Integer> out) {
        Piece p = new Piece(cps, from, to, out);
        int pos = from;
        while (pos < to) {
            int cpt = cps[pos];
            if (cpt == '\'' && pos + 1 < to) {
                int next = lower(cps[pos + 1]);
                if (next == 's' || next == 't' || next == 'm' || next == 'd') {
                    pos = p.add(pos + 2);
                    continue;
                }
                if (pos + 2 < to) {
                    int nn = lower(cps[pos + 2]);
                    if ((next == 'r' && nn == 'e') || (next == 'v' && nn == 'e') || (next == 'l' && nn == 'l')) {
                        pos = p.add(pos + 3);
                        continue;
                    }
                }
            }
            if (!(cpt == '\r' || cpt == '\n' || p.number(pos)) && (p.letter(pos) || p.letter(pos + 1))) {
                pos++;
                while (p.letter(pos)) {
                    pos++;
                }
                pos = p.add(pos);
                continue;
            }
            if (p.number(pos)) {
                int ini = pos;
                while (p.number(pos)) {
                    pos++;
                    if (pos - ini >= 3) {
                        p.add(pos);
                        ini = pos;
                    }
                }
                pos = p.add(pos);
                continue;
            }
            int look = cpt == ' ' ? pos + 1 : pos;
            // llama.cpp tests the current code point here, not the one after the space
            if (!(p.space(look) || p.letter(look) || p.number(look))) {
                pos = look;
                while (p.other(pos)) {
                    pos++;
                }
                while (p.at(pos) == '\r' || p.at(pos) == '\n') {
                    pos++;
                }
                pos = p.add(pos);
                continue;
            }
            pos = p.whitespace(pos, true);
        }
    }

    private static int lower(int cp) {
        return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
    }

    /** One piece being split, with llama.cpp's view of code points outside it (no category). */
    private static final class Piece {
        private final int[] cps;
        private final int from;
        private final int to;
        private final List<Integer> out;
        private int prevEnd;

        Piece(int[] cps, int from, int to, List<Integer> out) {
            this.cps = cps;
            this.from = from;
            this.to = to;
            this.out = out;
            this.prevEnd = from;
        }

        int add(int end) {
            if (end > prevEnd) {
                out.add(end - prevEnd);
            }
            prevEnd = end;
            return end;
        }

        int at(int pos) {
            return pos >= from && pos < to ? cps[pos] : -1;
        }

        boolean letter(int pos) {
            return at(pos) >= 0 && CodepointClass.isLetter(cps[pos]);
        }

        boolean number(int pos) {
            return at(pos) >= 0 && CodepointClass.isNumber(cps[pos]);
        }

        boolean space(int pos) {
            return at(pos) >= 0 && CodepointClass.isWhitespace(cps[pos]);
        }

        /** [^\s\p{L}\p{N}] inside the piece. */
        boolean other(int pos) {
            return at(pos) >= 0 && !space(pos) && !letter(pos) && !number(pos);
        }

        /** \s*[\r\n]+ (Llama 3 only), then \s+(?!\S), then \s+, else one code point alone. */
        int whitespace(int pos, boolean newlines) {
            int n = 0;
            int lastNewline = 0;
            while (space(pos + n)) {
                int c = cps[pos + n];
                if (c == '\r' || c == '\n') {
                    lastNewline = pos + n + 1;
                }
                n++;
            }
            if (newlines && lastNewline > 0) {
                return add(lastNewline);
            }
            if (n > 1 && at(pos + n) >= 0) {
                return add(pos + n - 1);
            }
            if (n > 0) {
                return add(pos + n);
            }
            return add(pos + 1);
        }
    }
}
