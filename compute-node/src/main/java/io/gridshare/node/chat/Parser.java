package io.gridshare.node.chat;

import io.gridshare.node.chat.Ast.*;
import io.gridshare.node.chat.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Parses the statement structure of a template ({@code if}, {@code for}, {@code set}, output). */
final class Parser extends ExpressionParser {
    private Parser(String source, List<Token> tokens) {
        super(source, tokens);
    }

    static List<Node> parse(String normalizedSource) {
        Parser parser = new Parser(normalizedSource, Lexer.tokenize(normalizedSource));
        List<Node> body = parser.body(Set.of());
        if (parser.peek().kind() != Kind.EOF) {
            throw parser.error(parser.peek(), "unexpected '" + parser.peek(1).text() + "' outside any block");
        }
        return body;
    }

    /** Nodes up to (not including) a block tag whose keyword is in {@code ends}, or to the end. */
    private List<Node> body(Set<String> ends) {
        List<Node> nodes = new ArrayList<>();
        while (true) {
            Token t = peek();
            switch (t.kind()) {
                case EOF -> {
                    if (!ends.isEmpty()) {
                        throw error(t, "missing " + String.join(" or ", ends.stream().map(e -> "'{% " + e + " %}'").sorted().toList())
                                + " before the end of the template");
                    }
                    return nodes;
                }
                case TEXT -> nodes.add(new Text(next().text()));
                case VAR_BEGIN -> {
                    next();
                    nodes.add(new Output(expression()));
                    expectEnd(Kind.VAR_END);
                }
                case BLOCK_BEGIN -> {
                    Token keyword = peek(1);
                    if (ends.contains(keyword.text())) return nodes;
                    next();
                    nodes.add(statement());
                }
                default -> throw error(t, "unexpected " + describe(t));
            }
        }
    }

    private void expectEnd(Kind end) {
        Token t = next();
        if (t.kind() != end) throw error(t, "expected the end of the tag but found " + describe(t));
    }

    private Node statement() {
        Token keyword = next();
        if (keyword.kind() != Kind.NAME) throw error(keyword, "expected a statement keyword but found " + describe(keyword));
        return switch (keyword.text()) {
            case "if" -> ifStatement();
            case "for" -> forStatement(keyword);
            case "set" -> setStatement(keyword);
            case "break", "continue" -> {
                expectEnd(Kind.BLOCK_END);
                yield new LoopControl(keyword.text().equals("break"));
            }
            case "generation" -> { // transformers' assistant-mask marker: renders its body unchanged
                expectEnd(Kind.BLOCK_END);
                List<Node> inner = body(Set.of("endgeneration"));
                closeBlock("endgeneration");
                yield new If(List.of(new Literal(Boolean.TRUE, keyword.offset())), List.of(inner), List.of());
            }
            case "elif", "else", "endif", "endfor", "endset", "endgeneration" ->
                    throw error(keyword, "'{% " + keyword.text() + " %}' without a matching opening tag");
            default -> throw error(keyword, "unsupported tag '{% " + keyword.text()
                    + " %}' (this engine supports if, for, set, break, continue and generation)");
        };
    }

    private void closeBlock(String keyword) {
        next(); // BLOCK_BEGIN
        next(); // the keyword
        expectEnd(Kind.BLOCK_END);
    }

    private Node ifStatement() {
        List<Expr> conditions = new ArrayList<>();
        List<List<Node>> bodies = new ArrayList<>();
        List<Node> otherwise = List.of();
        conditions.add(expression());
        expectEnd(Kind.BLOCK_END);
        while (true) {
            bodies.add(body(Set.of("elif", "else", "endif")));
            next(); // BLOCK_BEGIN
            String keyword = next().text();
            if (keyword.equals("elif")) {
                conditions.add(expression());
                expectEnd(Kind.BLOCK_END);
                continue;
            }
            expectEnd(Kind.BLOCK_END);
            if (keyword.equals("else")) {
                otherwise = body(Set.of("endif"));
                closeBlock("endif");
            }
            return new If(conditions, bodies, otherwise);
        }
    }

    private Node forStatement(Token keyword) {
        List<String> targets = new ArrayList<>();
        do {
            targets.add(expectName());
        } while (acceptOperator(","));
        if (!acceptName("in")) throw error(peek(), "expected 'in' in the for loop but found " + describe(peek()));
        Expr iterable = tupleOrExpressionWithoutIf();
        Expr filter = acceptName("if") ? expression() : null;
        if (peek().isName("recursive")) throw error(peek(), "recursive loops are not supported");
        expectEnd(Kind.BLOCK_END);
        List<Node> body = body(Set.of("else", "endfor"));
        List<Node> otherwise = List.of();
        next();
        if (next().text().equals("else")) {
            expectEnd(Kind.BLOCK_END);
            otherwise = body(Set.of("endfor"));
            closeBlock("endfor");
        } else {
            expectEnd(Kind.BLOCK_END);
        }
        return new For(targets, iterable, filter, body, otherwise, keyword.offset());
    }

    /** The iterable of a for loop: its trailing {@code if} is the loop filter, not an inline if. */
    private Expr tupleOrExpressionWithoutIf() {
        int start = index;
        int depth = 0;
        int end = start;
        // find a top-level 'if' before the block end and parse only up to it
        for (int i = start; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.kind() == Kind.BLOCK_END || t.kind() == Kind.EOF) break;
            if (t.isOperator("(") || t.isOperator("[") || t.isOperator("{")) depth++;
            if (t.isOperator(")") || t.isOperator("]") || t.isOperator("}")) depth--;
            if (depth == 0 && t.isName("if")) {
                end = i;
                break;
            }
        }
        if (end == start) return tupleOrExpression();
        List<Token> sub = new ArrayList<>(tokens.subList(start, end));
        sub.add(new Token(Kind.BLOCK_END, "%}", tokens.get(end).offset()));
        ExpressionParser inner = new ExpressionParser(source, sub);
        Expr expr = inner.tupleOrExpression();
        if (inner.index != sub.size() - 1) throw error(sub.get(inner.index), "unexpected " + describe(sub.get(inner.index)));
        index = end;
        return expr;
    }

    private Node setStatement(Token keyword) {
        String first = expectName();
        if (acceptOperator(".")) {
            String attribute = expectName();
            expectOperator("=");
            Expr value = tupleOrExpression();
            expectEnd(Kind.BLOCK_END);
            return new SetAttr(first, attribute, value, keyword.offset());
        }
        List<String> targets = new ArrayList<>(List.of(first));
        while (acceptOperator(",")) targets.add(expectName());
        if (peek().kind() == Kind.BLOCK_END && targets.size() == 1) {
            next();
            List<Node> body = body(Set.of("endset"));
            closeBlock("endset");
            return new SetBlock(first, body);
        }
        expectOperator("=");
        Expr value = tupleOrExpression();
        expectEnd(Kind.BLOCK_END);
        return new Ast.Set(targets, value, keyword.offset());
    }
}
