package io.gridshare.node.chat;

/** A lexical token of a template: text between tags, a tag boundary, or a part of an expression. */
record Token(Kind kind, String text, int offset) {
    enum Kind { TEXT, VAR_BEGIN, VAR_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, INTEGER, FLOAT, OPERATOR, EOF }

    boolean is(Kind k, String t) {
        return kind == k && text.equals(t);
    }

    boolean isOperator(String t) {
        return is(Kind.OPERATOR, t);
    }

    boolean isName(String t) {
        return is(Kind.NAME, t);
    }
}
