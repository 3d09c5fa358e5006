package io.gridshare.node.chat;

import io.gridshare.node.chat.Ast.*;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders a parsed template against a context, with Jinja2's scoping (a loop body cannot change outer names). */
final class Interpreter {
    private static final class LoopSignal extends RuntimeException {
        final boolean isBreak;

        LoopSignal(boolean isBreak) {
            super(null, null, false, false);
            this.isBreak = isBreak;
        }
    }

    /** A runtime failure already tagged with where in the template it happened. */
    static final class Located extends ChatTemplateException {
        Located(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final String source;
    private final Deque<Map<String, Object>> scopes = new ArrayDeque<>();
    private final StringBuilder out = new StringBuilder();

    Interpreter(String source, Map<String, Object> context) {
        this.source = source;
        scopes.push(new HashMap<>(context));
        scopes.push(new HashMap<>());
    }

    String render(List<Node> nodes) {
        run(nodes);
        return out.toString();
    }

    private void run(List<Node> nodes) {
        for (Node node : nodes) execute(node);
    }

    private void execute(Node node) {
        switch (node) {
            case Text t -> out.append(t.text());
            case Output o -> out.append(Values.str(eval(o.expr())));
            case If i -> {
                for (int k = 0; k < i.conditions().size(); k++) {
                    if (Values.truthy(eval(i.conditions().get(k)))) {
                        run(i.bodies().get(k));
                        return;
                    }
                }
                run(i.otherwise());
            }
            case For f -> loop(f);
            case Ast.Set s -> assign(s.targets(), eval(s.value()), s.offset());
            case SetAttr s -> {
                Object target = lookup(s.object());
                if (!(target instanceof Builtins.Namespace ns)) {
                    throw located(s.offset(), "cannot set '" + s.object() + "." + s.attribute()
                            + "': only a namespace() object can have attributes assigned", null);
                }
                ns.put(s.attribute(), eval(s.value()));
            }
            case SetBlock s -> {
                int mark = out.length();
                run(s.body());
                String captured = out.substring(mark);
                out.setLength(mark);
                scopes.peek().put(s.target(), captured);
            }
            case LoopControl c -> throw new LoopSignal(c.isBreak());
        }
    }

    private void assign(List<String> targets, Object value, int offset) {
        if (targets.size() == 1) {
            scopes.peek().put(targets.getFirst(), value);
            return;
        }
        List<Object> items = Values.iterate(value);
        if (items.size() != targets.size()) {
            throw located(offset, "cannot unpack " + items.size() + " values into " + targets.size() + " names", null);
        }
        for (int i = 0; i < targets.size(); i++) scopes.peek().put(targets.get(i), items.get(i));
    }

    private void loop(For f) {
        List<Object> items = new ArrayList<>();
        Object iterable = eval(f.iterable());
        List<Object> all;
        try {
            all = Values.iterate(iterable);
        } catch (ChatTemplateException e) {
            throw located(f.offset(), e.getMessage(), e);
        }
        for (Object item : all) {
            if (f.filter() == null) {
                items.add(item);
                continue;
            }
            scopes.push(new HashMap<>());
            try {
                assign(f.targets(), item, f.offset());
                if (Values.truthy(eval(f.filter()))) items.add(item);
            } finally {
                scopes.pop();
            }
        }
        if (items.isEmpty()) {
            run(f.otherwise());
            return;
        }
        int n = items.size();
        for (int i = 0; i < n; i++) {
            Map<String, Object> loop = new LinkedHashMap<>();
            loop.put("index", (long) i + 1);
            loop.put("index0", (long) i);
            loop.put("revindex", (long) (n - i));
            loop.put("revindex0", (long) (n - i - 1));
            loop.put("first", i == 0);
            loop.put("last", i == n - 1);
            loop.put("length", (long) n);
            loop.put("previtem", i > 0 ? items.get(i - 1) : new Undefined("loop.previtem"));
            loop.put("nextitem", i < n - 1 ? items.get(i + 1) : new Undefined("loop.nextitem"));
            scopes.push(new HashMap<>());
            try {
                scopes.peek().put("loop", loop);
                assign(f.targets(), items.get(i), f.offset());
                run(f.body());
            } catch (LoopSignal signal) {
                if (signal.isBreak) break;
            } finally {
                scopes.pop();
            }
        }
    }

    private Object lookup(String name) {
        for (Map<String, Object> scope : scopes) {
            if (scope.containsKey(name)) return scope.get(name);
        }
        return new Undefined(name);
    }

    Object eval(Expr e) {
        try {
            return evaluate(e);
        } catch (Located | Builtins.TemplateRaised | LoopSignal passThrough) {
            throw passThrough;
        } catch (ChatTemplateException | IndexOutOfBoundsException | ClassCastException | ArithmeticException failure) {
            throw located(e.offset(), failure.getMessage(), failure);
        }
    }

    private Located located(int offset, String what, Throwable cause) {
        String where = Lexer.syntaxError(source, offset, "").getMessage()
                .replace("chat template syntax error", "chat template error").replaceAll(": $", "");
        return new Located(where + ": " + what, cause);
    }

    private Object evaluate(Expr e) {
        return switch (e) {
            case Literal l -> l.value();
            case Name n -> lookup(n.name());
            case ListLit l -> {
                List<Object> items = new ArrayList<>();
                for (Expr x : l.items()) items.add(eval(x));
                yield items;
            }
            case DictLit d -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < d.keys().size(); i++) map.put(Values.str(eval(d.keys().get(i))), eval(d.values().get(i)));
                yield map;
            }
            case GetAttr g -> attribute(eval(g.object()), g.name());
            case GetItem g -> Values.item(eval(g.object()), eval(g.index()));
            case Slice s -> Values.slice(eval(s.object()), optional(s.start()), optional(s.stop()), optional(s.step()));
            case Call c -> {
                Object callee = eval(c.callee());
                if (!(callee instanceof Builtins.Callable fn)) {
                    throw new ChatTemplateException(describe(c.callee()) + " is not callable (" + Values.typeName(callee) + ")");
                }
                yield fn.call(evalAll(c.args()), evalAll(c.kwargs()));
            }
            case Filter f -> Filters.filter(f.name(), eval(f.value()), evalAll(f.args()), evalAll(f.kwargs()));
            case Test t -> t.negated() != Filters.test(t.name(), eval(t.value()), evalAll(t.args()));
            case Unary u -> switch (u.op()) {
                case "not" -> !Values.truthy(eval(u.operand()));
                case "-" -> {
                    Object v = eval(u.operand());
                    yield v instanceof Long l ? (Object) (-l) : (Object) (-Values.toDouble(v));
                }
                default -> eval(u.operand());
            };
            case Binary b -> binary(b);
            case Conditional c -> Values.truthy(eval(c.condition())) ? eval(c.then())
                    : c.otherwise() == null ? new Undefined("inline if without else") : eval(c.otherwise());
        };
    }

    private static String describe(Expr e) {
        return switch (e) {
            case Name n -> "'" + n.name() + "'";
            case GetAttr g -> "'" + g.name() + "'";
            default -> "the value";
        };
    }

    private Object optional(Expr e) {
        return e == null ? null : eval(e);
    }

    private List<Object> evalAll(List<Expr> exprs) {
        List<Object> values = new ArrayList<>();
        for (Expr x : exprs) values.add(eval(x));
        return values;
    }

    private Map<String, Object> evalAll(Map<String, Expr> exprs) {
        Map<String, Object> values = new LinkedHashMap<>();
        exprs.forEach((k, x) -> values.put(k, eval(x)));
        return values;
    }

    private static Object attribute(Object obj, String name) {
        if (obj instanceof Undefined u) {
            throw new ChatTemplateException("'" + u.name() + "' is undefined, so it has no attribute '" + name + "'");
        }
        Builtins.Callable method = obj instanceof Builtins.Namespace ? null : Methods.bound(obj, name);
        if (method != null) return method;
        if (obj instanceof Map<?, ?> m && m.containsKey(name)) return m.get(name);
        return new Undefined(name);
    }

    private Object binary(Binary b) {
        if (b.op().equals("and")) {
            Object left = eval(b.left());
            return Values.truthy(left) ? eval(b.right()) : left;
        }
        if (b.op().equals("or")) {
            Object left = eval(b.left());
            return Values.truthy(left) ? left : eval(b.right());
        }
        return Operators.apply(b.op(), eval(b.left()), eval(b.right()));
    }
}
