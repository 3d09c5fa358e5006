package io.gridshare.node.chat;

import io.gridshare.node.chat.Token.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a template into tokens with Jinja2's whitespace rules as transformers configures them:
 * {@code trim_blocks} (the newline after a block or comment tag is dropped), {@code lstrip_blocks}
 * (spaces before a block or comment tag that starts a line are dropped), {@code -} strips all
 * whitespace on that side, {@code +} disables trimming, and one trailing newline of the template
 * is dropped ({@code keep_trailing_newline=False}).
 */
final class Lexer {
    private final String src;
    private final List<Token> out = new ArrayList<>();
    private int pos;

    private Lexer(String src) {
        this.src = src;
    }

    /** Line endings normalised to \n and one trailing newline dropped, as Jinja2 does. */
    static String normalize(String source) {
        String s = source.replace("\r\n", "\n").replace('\r', '\n');
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    static List<Token> tokenize(String normalizedSource) {
        Lexer lexer = new Lexer(normalizedSource);
        lexer.run();
        return lexer.out;
    }

    private void run() {
        boolean lineStarting = true;
        String prevRight = null; // what ended the previous tag: "-", "trim" (block/comment end), or "" (none)
        while (pos <= src.length()) {
            int tagStart = nextTagStart(pos);
            int textEnd = tagStart < 0 ? src.length() : tagStart;
            String text = src.substring(pos, textEnd);
            int textOffset = pos;
            // leading side: what the previous tag end does to this text
            if ("-".equals(prevRight)) {
                int i = 0;
                while (i < text.length() && Character.isWhitespace(text.charAt(i))) i++;
                lineStarting = i > 0 && text.charAt(i - 1) == '\n';
                text = text.substring(i);
                textOffset += i;
            } else if ("trim".equals(prevRight) && text.startsWith("\n")) {
                text = text.substring(1);
                textOffset++;
                lineStarting = true;
            } else if (prevRight != null) {
                lineStarting = false;
            }
            if (tagStart < 0) {
                emitText(text, textOffset);
                break;
            }
            char kind = src.charAt(tagStart + 1);
            char leftMod = tagStart + 2 < src.length() ? src.charAt(tagStart + 2) : ' ';
            if (leftMod == '-') {
                text = text.stripTrailing();
            } else if (kind != '{' && leftMod != '+') {
                int lineStart = text.lastIndexOf('\n') + 1;
                if ((lineStart > 0 || lineStarting) && lineStart < text.length()
                        && text.substring(lineStart).isBlank()) {
                    text = text.substring(0, lineStart);
                }
            }
            emitText(text, textOffset);
            pos = tagStart + 2 + (leftMod == '-' || leftMod == '+' ? 1 : 0);
            prevRight = switch (kind) {
                case '#' -> comment(tagStart);
                case '{' -> tag(tagStart, Kind.VAR_BEGIN, Kind.VAR_END, "}}");
                default -> tag(tagStart, Kind.BLOCK_BEGIN, Kind.BLOCK_END, "%}");
            };
        }
        out.add(new Token(Kind.EOF, "", src.length()));
    }

    private void emitText(String text, int offset) {
        if (!text.isEmpty()) out.add(new Token(Kind.TEXT, text, offset));
    }

    private int nextTagStart(int from) {
        for (int i = from; i + 1 < src.length(); i++) {
            if (src.charAt(i) == '{') {
                char c = src.charAt(i + 1);
                if (c == '{' || c == '%' || c == '#') return i;
            }
        }
        return -1;
    }

    private String comment(int tagStart) {
        int end = src.indexOf("#}", pos);
        if (end < 0) throw error(tagStart, "comment '{#' is never closed with '#}'");
        char mod = src.charAt(end - 1);
        pos = end + 2;
        if (mod == '-' && end - 1 >= tagStart + 2) return "-";
        return mod == '+' ? "" : "trim";
    }

    private String tag(int tagStart, Kind begin, Kind end, String close) {
        out.add(new Token(begin, src.substring(tagStart, tagStart + 2), tagStart));
        int depth = 0;
        while (true) {
            skipSpaces();
            if (pos >= src.length()) {
                throw error(tagStart, "tag '" + src.substring(tagStart, tagStart + 2) + "' is never closed with '" + close + "'");
            }
            char c = src.charAt(pos);
            if (depth == 0) {
                String mod = null;
                if ((c == '-' || c == '+') && src.startsWith(close, pos + 1)) mod = String.valueOf(c);
                else if (src.startsWith(close, pos)) mod = "";
                if (mod != null) {
                    out.add(new Token(end, close, pos));
                    pos += close.length() + mod.length();
                    if (mod.equals("-")) return "-";
                    return end == Kind.BLOCK_END && mod.isEmpty() ? "trim" : "";
                }
            }
            if (c == '\'' || c == '"') {
                string(c);
            } else if (Character.isDigit(c)) {
                number();
            } else if (Character.isLetter(c) || c == '_') {
                int s = pos;
                while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) pos++;
                out.add(new Token(Kind.NAME, src.substring(s, pos), s));
            } else {
                String op = operator();
                if (op == null) throw error(pos, "unexpected character '" + c + "'");
                if (op.equals("(") || op.equals("[") || op.equals("{")) depth++;
                if (op.equals(")") || op.equals("]") || op.equals("}")) depth--;
                out.add(new Token(Kind.OPERATOR, op, pos));
                pos += op.length();
            }
        }
    }

    private static final String[] OPERATORS = {"**", "//", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~",
            "|", ".", ",", ":", "(", ")", "[", "]", "{", "}", "=", "<", ">"};

    private String operator() {
        for (String op : OPERATORS) {
            if (src.startsWith(op, pos)) return op;
        }
        return null;
    }

    private void skipSpaces() {
        while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) pos++;
    }

    private void number() {
        int s = pos;
        while (pos < src.length() && (Character.isDigit(src.charAt(pos)) || src.charAt(pos) == '_')) pos++;
        boolean isFloat = false;
        if (pos + 1 < src.length() && src.charAt(pos) == '.' && Character.isDigit(src.charAt(pos + 1))) {
            isFloat = true;
            pos++;
            while (pos < src.length() && Character.isDigit(src.charAt(pos))) pos++;
        }
        out.add(new Token(isFloat ? Kind.FLOAT : Kind.INTEGER, src.substring(s, pos).replace("_", ""), s));
    }

    private void string(char quote) {
        int s = pos++;
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= src.length()) throw error(s, "string literal is never closed");
            char c = src.charAt(pos++);
            if (c == quote) break;
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (pos >= src.length()) throw error(s, "string literal is never closed");
            char e = src.charAt(pos++);
            switch (e) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case '0' -> sb.append('\0');
                case '\\', '\'', '"' -> sb.append(e);
                case '\n' -> { } // a backslash-newline continues the literal
                case 'x' -> sb.append((char) hex(2));
                case 'u' -> sb.append((char) hex(4));
                case 'U' -> sb.appendCodePoint(hex(8));
                default -> sb.append('\\').append(e); // Python keeps unknown escapes verbatim
            }
        }
        out.add(new Token(Kind.STRING, sb.toString(), s));
    }

    private int hex(int digits) {
        if (pos + digits > src.length()) throw error(pos, "truncated \\x/\\u escape in string literal");
        int v = Integer.parseInt(src.substring(pos, pos + digits), 16);
        pos += digits;
        return v;
    }

    ChatTemplateException error(int offset, String what) {
        return syntaxError(src, offset, what);
    }

    static ChatTemplateException syntaxError(String src, int offset, String what) {
        int line = 1;
        int col = 1;
        for (int i = 0; i < Math.min(offset, src.length()); i++) {
            if (src.charAt(i) == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return new ChatTemplateException("chat template syntax error at line " + line + ", column " + col + ": " + what);
    }
}
