package io.gridshare.node.chat;

import java.util.List;
import java.util.Map;

/** The parsed form of a template: statements ({@link Node}) and expressions ({@link Expr}). */
final class Ast {
    private Ast() {
    }

    sealed interface Node permits Text, Output, If, For, Set, SetAttr, SetBlock, LoopControl {
    }

    record Text(String text) implements Node {
    }

    record Output(Expr expr) implements Node {
    }

    /** {@code if}/{@code elif} branches in order, then the optional {@code else} body (may be empty). */
    record If(List<Expr> conditions, List<List<Node>> bodies, List<Node> otherwise) implements Node {
    }

    record For(List<String> targets, Expr iterable, Expr filter, List<Node> body, List<Node> otherwise,
               int offset) implements Node {
    }

    record Set(List<String> targets, Expr value, int offset) implements Node {
    }

    /** {@code set ns.attr = value}: the only way a loop body changes state outside it. */
    record SetAttr(String object, String attribute, Expr value, int offset) implements Node {
    }

    record SetBlock(String target, List<Node> body) implements Node {
    }

    record LoopControl(boolean isBreak) implements Node {
    }

    sealed interface Expr permits Literal, Name, ListLit, DictLit, GetAttr, GetItem, Slice, Call, Filter, Test,
            Unary, Binary, Conditional {
        int offset();
    }

    record Literal(Object value, int offset) implements Expr {
    }

    record Name(String name, int offset) implements Expr {
    }

    record ListLit(List<Expr> items, int offset) implements Expr {
    }

    record DictLit(List<Expr> keys, List<Expr> values, int offset) implements Expr {
    }

    record GetAttr(Expr object, String name, int offset) implements Expr {
    }

    record GetItem(Expr object, Expr index, int offset) implements Expr {
    }

    /** {@code obj[start:stop:step]}; absent parts are null. */
    record Slice(Expr object, Expr start, Expr stop, Expr step, int offset) implements Expr {
    }

    record Call(Expr callee, List<Expr> args, Map<String, Expr> kwargs, int offset) implements Expr {
    }

    record Filter(Expr value, String name, List<Expr> args, Map<String, Expr> kwargs, int offset) implements Expr {
    }

    record Test(Expr value, String name, List<Expr> args, boolean negated, int offset) implements Expr {
    }

    record Unary(String op, Expr operand, int offset) implements Expr {
    }

    record Binary(String op, Expr left, Expr right, int offset) implements Expr {
    }

    record Conditional(Expr condition, Expr then, Expr otherwise, int offset) implements Expr {
    }
}
