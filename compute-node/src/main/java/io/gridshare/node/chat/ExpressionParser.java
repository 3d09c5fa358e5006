package io.gridshare.node.chat;

import io.gridshare.node.chat.Ast.*;
import io.gridshare.node.chat.Token.Kind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Parses Jinja2 expressions with Jinja2's operator precedence; the statement parser builds on it. */
class ExpressionParser {
    private static final Set<String> COMPARE = Set.of("==", "!=", "<", "<=", ">", ">=");
    private static final Set<String> TEST_ARG_STOP = Set.of("else", "or", "and", "if", "is", "in", "not");

    final String source;
    final List<Token> tokens;
    int index;

    ExpressionParser(String source, List<Token> tokens) {
        this.source = source;
        this.tokens = tokens;
    }

    Token peek() {
        return tokens.get(index);
    }

    Token peek(int ahead) {
        return tokens.get(Math.min(index + ahead, tokens.size() - 1));
    }

    Token next() {
        return tokens.get(index++);
    }

    boolean acceptOperator(String op) {
        if (peek().isOperator(op)) {
            index++;
            return true;
        }
        return false;
    }

    boolean acceptName(String name) {
        if (peek().isName(name)) {
            index++;
            return true;
        }
        return false;
    }

    void expectOperator(String op) {
        if (!acceptOperator(op)) throw error(peek(), "expected '" + op + "' but found " + describe(peek()));
    }

    String expectName() {
        Token t = next();
        if (t.kind() != Kind.NAME) throw error(t, "expected a name but found " + describe(t));
        return t.text();
    }

    static String describe(Token t) {
        return switch (t.kind()) {
            case EOF -> "the end of the template";
            case BLOCK_END, VAR_END -> "the end of the tag '" + t.text() + "'";
            case STRING -> "a string";
            default -> "'" + t.text() + "'";
        };
    }

    ChatTemplateException error(Token at, String what) {
        return Lexer.syntaxError(source, at.offset(), what);
    }

    Expr expression() {
        Expr value = or();
        if (peek().isName("if")) {
            int off = next().offset();
            Expr condition = or();
            Expr otherwise = acceptName("else") ? expression() : null;
            return new Conditional(condition, value, otherwise, off);
        }
        return value;
    }

    /** An expression or an unparenthesised tuple ({@code a, b}), as {@code set} and {@code for} accept. */
    Expr tupleOrExpression() {
        int off = peek().offset();
        Expr first = expression();
        if (!peek().isOperator(",")) return first;
        List<Expr> items = new ArrayList<>(List.of(first));
        while (acceptOperator(",")) {
            if (peek().kind() == Kind.BLOCK_END) break;
            items.add(expression());
        }
        return new ListLit(items, off);
    }

    private Expr or() {
        Expr left = and();
        while (peek().isName("or")) {
            int off = next().offset();
            left = new Binary("or", left, and(), off);
        }
        return left;
    }

    private Expr and() {
        Expr left = not();
        while (peek().isName("and")) {
            int off = next().offset();
            left = new Binary("and", left, not(), off);
        }
        return left;
    }

    private Expr not() {
        if (peek().isName("not")) {
            int off = next().offset();
            return new Unary("not", not(), off);
        }
        return compare();
    }

    private Expr compare() {
        Expr left = concat();
        while (true) {
            Token t = peek();
            if (t.kind() == Kind.OPERATOR && COMPARE.contains(t.text())) {
                next();
                left = new Binary(t.text(), left, concat(), t.offset());
            } else if (t.isName("in")) {
                next();
                left = new Binary("in", left, concat(), t.offset());
            } else if (t.isName("not") && peek(1).isName("in")) {
                index += 2;
                left = new Unary("not", new Binary("in", left, concat(), t.offset()), t.offset());
            } else {
                return left;
            }
        }
    }

    private Expr concat() {
        Expr left = additive();
        while (peek().isOperator("~")) {
            int off = next().offset();
            left = new Binary("~", left, additive(), off);
        }
        return left;
    }

    private Expr additive() {
        Expr left = multiplicative();
        while (peek().isOperator("+") || peek().isOperator("-")) {
            Token t = next();
            left = new Binary(t.text(), left, multiplicative(), t.offset());
        }
        return left;
    }

    private Expr multiplicative() {
        Expr left = power();
        while (peek().isOperator("*") || peek().isOperator("/") || peek().isOperator("//") || peek().isOperator("%")) {
            Token t = next();
            left = new Binary(t.text(), left, power(), t.offset());
        }
        return left;
    }

    private Expr power() {
        Expr left = unary(true);
        while (peek().isOperator("**")) {
            Token t = next();
            left = new Binary("**", left, unary(true), t.offset());
        }
        return left;
    }

    private Expr unary(boolean withFilter) {
        Token t = peek();
        Expr node;
        if (t.isOperator("-") || t.isOperator("+")) {
            next();
            node = new Unary(t.text(), unary(false), t.offset());
        } else {
            node = postfix(primary());
        }
        return withFilter ? filters(node) : node;
    }

    private Expr primary() {
        Token t = next();
        return switch (t.kind()) {
            case STRING -> {
                StringBuilder sb = new StringBuilder(t.text());
                while (peek().kind() == Kind.STRING) sb.append(next().text()); // adjacent literals join
                yield new Literal(sb.toString(), t.offset());
            }
            case INTEGER -> new Literal(Long.parseLong(t.text()), t.offset());
            case FLOAT -> new Literal(Double.parseDouble(t.text()), t.offset());
            case NAME -> switch (t.text()) {
                case "true", "True" -> new Literal(Boolean.TRUE, t.offset());
                case "false", "False" -> new Literal(Boolean.FALSE, t.offset());
                case "none", "None" -> new Literal(null, t.offset());
                default -> new Name(t.text(), t.offset());
            };
            case OPERATOR -> switch (t.text()) {
                case "(" -> {
                    if (acceptOperator(")")) yield new ListLit(List.of(), t.offset());
                    Expr inner = expression();
                    if (peek().isOperator(",")) {
                        List<Expr> items = new ArrayList<>(List.of(inner));
                        while (acceptOperator(",") && !peek().isOperator(")")) items.add(expression());
                        inner = new ListLit(items, t.offset());
                    }
                    expectOperator(")");
                    yield inner;
                }
                case "[" -> new ListLit(list("]"), t.offset());
                case "{" -> dict(t.offset());
                default -> throw error(t, "unexpected " + describe(t) + " in an expression");
            };
            default -> throw error(t, "expected an expression but found " + describe(t));
        };
    }

    private List<Expr> list(String close) {
        List<Expr> items = new ArrayList<>();
        while (!acceptOperator(close)) {
            if (!items.isEmpty()) expectOperator(",");
            if (acceptOperator(close)) break;
            items.add(expression());
        }
        return items;
    }

    private Expr dict(int off) {
        List<Expr> keys = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (!acceptOperator("}")) {
            if (!keys.isEmpty()) expectOperator(",");
            if (acceptOperator("}")) break;
            keys.add(expression());
            expectOperator(":");
            values.add(expression());
        }
        return new DictLit(keys, values, off);
    }

    private Expr postfix(Expr node) {
        while (true) {
            Token t = peek();
            if (t.isOperator(".")) {
                next();
                Token name = next();
                if (name.kind() != Kind.NAME && name.kind() != Kind.INTEGER) {
                    throw error(name, "expected an attribute name after '.' but found " + describe(name));
                }
                node = name.kind() == Kind.INTEGER
                        ? new GetItem(node, new Literal(Long.parseLong(name.text()), name.offset()), t.offset())
                        : new GetAttr(node, name.text(), t.offset());
            } else if (t.isOperator("[")) {
                next();
                node = subscript(node, t.offset());
            } else if (t.isOperator("(")) {
                next();
                node = call(node, t.offset());
            } else {
                return node;
            }
        }
    }

    private Expr subscript(Expr node, int off) {
        Expr[] parts = new Expr[3];
        int part = 0;
        boolean slice = false;
        while (!acceptOperator("]")) {
            if (acceptOperator(":")) {
                slice = true;
                if (++part > 2) throw error(peek(), "a slice takes at most start:stop:step");
                continue;
            }
            if (parts[part] != null) throw error(peek(), "expected ':' or ']' but found " + describe(peek()));
            parts[part] = expression();
        }
        if (!slice) {
            if (parts[0] == null) throw error(peek(), "empty subscript '[]'");
            return new GetItem(node, parts[0], off);
        }
        return new Slice(node, parts[0], parts[1], parts[2], off);
    }

    private Expr call(Expr callee, int off) {
        List<Expr> args = new ArrayList<>();
        Map<String, Expr> kwargs = new LinkedHashMap<>();
        arguments(args, kwargs);
        return new Call(callee, args, kwargs, off);
    }

    /** Reads {@code a, b, key=value)} after an opening parenthesis. */
    void arguments(List<Expr> args, Map<String, Expr> kwargs) {
        boolean first = true;
        while (!acceptOperator(")")) {
            if (!first) expectOperator(",");
            first = false;
            if (acceptOperator(")")) break;
            if (peek().kind() == Kind.NAME && peek(1).isOperator("=")) {
                String key = next().text();
                next();
                kwargs.put(key, expression());
            } else {
                args.add(expression());
            }
        }
    }

    private Expr filters(Expr node) {
        while (true) {
            Token t = peek();
            if (t.isOperator("|")) {
                next();
                String name = dottedName();
                List<Expr> args = new ArrayList<>();
                Map<String, Expr> kwargs = new LinkedHashMap<>();
                if (acceptOperator("(")) arguments(args, kwargs);
                node = new Filter(node, name, args, kwargs, t.offset());
            } else if (t.isName("is")) {
                next();
                boolean negated = acceptName("not");
                String name = dottedName();
                List<Expr> args = new ArrayList<>();
                if (acceptOperator("(")) {
                    arguments(args, new LinkedHashMap<>());
                } else if (startsTestArgument(peek())) {
                    args.add(postfix(primary()));
                }
                node = new Test(node, name, args, negated, t.offset());
            } else if (t.isOperator("(")) {
                next();
                node = call(node, t.offset());
            } else {
                return node;
            }
        }
    }

    private String dottedName() {
        StringBuilder name = new StringBuilder(expectName());
        while (peek().isOperator(".") && peek(1).kind() == Kind.NAME) {
            next();
            name.append('.').append(next().text());
        }
        return name.toString();
    }

    private static boolean startsTestArgument(Token t) {
        return switch (t.kind()) {
            case STRING, INTEGER, FLOAT -> true;
            case NAME -> !TEST_ARG_STOP.contains(t.text());
            case OPERATOR -> t.text().equals("[") || t.text().equals("{");
            default -> false;
        };
    }
}
