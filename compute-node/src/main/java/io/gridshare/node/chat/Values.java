package io.gridshare.node.chat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Python semantics for template values. Values are: null (None), {@link Undefined}, Boolean,
 * Long, Double, String, List, Map (string keys, insertion order) and {@link Builtins.Callable}.
 */
final class Values {
    private Values() {
    }

    static boolean truthy(Object v) {
        return switch (v) {
            case null -> false;
            case Undefined u -> false;
            case Boolean b -> b;
            case Long l -> l != 0;
            case Double d -> d != 0.0;
            case String s -> !s.isEmpty();
            case Collection<?> c -> !c.isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            default -> true;
        };
    }

    /** Python's {@code str()}. */
    static String str(Object v) {
        return switch (v) {
            case null -> "None";
            case Undefined u -> "";
            case String s -> s;
            default -> repr(v);
        };
    }

    /** Python's {@code repr()}, as containers print their items. */
    static String repr(Object v) {
        return switch (v) {
            case null -> "None";
            case Undefined u -> "";
            case Boolean b -> b ? "True" : "False";
            case Long l -> l.toString();
            case Double d -> floatRepr(d);
            case String s -> stringRepr(s);
            case List<?> list -> {
                StringBuilder sb = new StringBuilder("[");
                for (int i = 0; i < list.size(); i++) sb.append(i == 0 ? "" : ", ").append(repr(list.get(i)));
                yield sb.append(']').toString();
            }
            case Map<?, ?> map -> {
                StringBuilder sb = new StringBuilder("{");
                boolean first = true;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    sb.append(first ? "" : ", ").append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
                    first = false;
                }
                yield sb.append('}').toString();
            }
            default -> v.toString();
        };
    }

    static String floatRepr(double d) {
        if (Double.isNaN(d)) return "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        if (d == Math.rint(d) && Math.abs(d) < 1e16) return String.format("%.1f", d);
        String s = Double.toString(d);
        if (s.contains("E")) s = new BigDecimal(s).toString().toLowerCase();
        return s;
    }

    private static String stringRepr(String s) {
        char quote = s.contains("'") && !s.contains("\"") ? '"' : '\'';
        StringBuilder sb = new StringBuilder().append(quote);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c == quote) sb.append('\\');
                    sb.append(c);
                }
            }
        }
        return sb.append(quote).toString();
    }

    static boolean isNumber(Object v) {
        return v instanceof Long || v instanceof Double || v instanceof Boolean;
    }

    static double toDouble(Object v) {
        return switch (v) {
            case Long l -> l;
            case Double d -> d;
            case Boolean b -> b ? 1 : 0;
            default -> throw new ChatTemplateException("expected a number but got " + typeName(v));
        };
    }

    static long toLong(Object v) {
        return switch (v) {
            case Long l -> l;
            case Double d -> d.longValue();
            case Boolean b -> b ? 1 : 0;
            default -> throw new ChatTemplateException("expected an integer but got " + typeName(v));
        };
    }

    static boolean equal(Object a, Object b) {
        if (a instanceof Undefined || b instanceof Undefined) return a instanceof Undefined && b instanceof Undefined;
        if (isNumber(a) && isNumber(b) && !(a instanceof Boolean && b instanceof Boolean)) {
            return toDouble(a) == toDouble(b);
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) return false;
            for (int i = 0; i < x.size(); i++) if (!equal(x.get(i), y.get(i))) return false;
            return true;
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (x.size() != y.size()) return false;
            for (Map.Entry<?, ?> e : x.entrySet()) {
                if (!y.containsKey(e.getKey()) || !equal(e.getValue(), y.get(e.getKey()))) return false;
            }
            return true;
        }
        return Objects.equals(a, b);
    }

    static int compare(Object a, Object b) {
        if (isNumber(a) && isNumber(b)) return Double.compare(toDouble(a), toDouble(b));
        if (a instanceof String x && b instanceof String y) return x.compareTo(y);
        throw new ChatTemplateException("cannot compare " + typeName(a) + " with " + typeName(b));
    }

    static boolean contains(Object container, Object item) {
        return switch (container) {
            case String s when item instanceof String i -> s.contains(i);
            case String s -> throw new ChatTemplateException("'in <string>' requires a string, not " + typeName(item));
            case Map<?, ?> m -> m.containsKey(item);
            case List<?> l -> l.stream().anyMatch(x -> equal(x, item));
            case Undefined u -> false;
            default -> throw new ChatTemplateException("'in' needs a string, list or mapping, not " + typeName(container));
        };
    }

    /** The items a for loop or a filter walks: list items, mapping keys or string characters. */
    static List<Object> iterate(Object v) {
        return switch (v) {
            case List<?> l -> new ArrayList<>(l);
            case Map<?, ?> m -> new ArrayList<>(m.keySet());
            case String s -> new ArrayList<>(s.codePoints().mapToObj(Character::toString).toList());
            case Undefined u -> new ArrayList<>();
            default -> throw new ChatTemplateException(typeName(v) + " is not iterable");
        };
    }

    static int length(Object v) {
        return switch (v) {
            case String s -> s.codePointCount(0, s.length());
            case Collection<?> c -> c.size();
            case Map<?, ?> m -> m.size();
            case Undefined u -> 0;
            default -> throw new ChatTemplateException(typeName(v) + " has no length");
        };
    }

    static String typeName(Object v) {
        return switch (v) {
            case null -> "None";
            case Undefined u -> "undefined '" + u.name() + "'";
            case Boolean b -> "bool";
            case Long l -> "int";
            case Double d -> "float";
            case String s -> "str";
            case List<?> l -> "list";
            case Map<?, ?> m -> "dict";
            default -> v.getClass().getSimpleName();
        };
    }

    /** {@code obj[key]}: mapping lookup or (negative-capable) list/string index; missing gives Undefined. */
    static Object item(Object obj, Object key) {
        return switch (obj) {
            case Map<?, ?> m -> m.containsKey(key) ? m.get(key) : new Undefined(Values.str(key));
            case List<?> l when key instanceof Long || key instanceof Boolean -> {
                long i = toLong(key);
                if (i < 0) i += l.size();
                yield i >= 0 && i < l.size() ? l.get((int) i) : new Undefined("[" + key + "]");
            }
            case String s when key instanceof Long -> {
                List<Object> chars = iterate(s);
                long i = (Long) key;
                if (i < 0) i += chars.size();
                yield i >= 0 && i < chars.size() ? chars.get((int) i) : new Undefined("[" + key + "]");
            }
            case Undefined u -> throw new ChatTemplateException("'" + u.name() + "' is undefined, so it has no item " + repr(key));
            case null -> throw new ChatTemplateException("None has no item " + repr(key));
            default -> new Undefined(Values.str(key));
        };
    }

    static Object slice(Object obj, Object start, Object stop, Object step) {
        List<Object> items = obj instanceof String ? iterate(obj) : obj instanceof List<?> l ? new ArrayList<>(l) : null;
        if (items == null) throw new ChatTemplateException("cannot slice " + typeName(obj));
        int n = items.size();
        long st = step == null ? 1 : toLong(step);
        if (st == 0) throw new ChatTemplateException("slice step cannot be zero");
        long lo = st > 0 ? 0 : -1;
        long hi = st > 0 ? n : n - 1;
        long from = start == null ? (st > 0 ? 0 : n - 1) : clamp(toLong(start), n, lo, hi);
        long to = stop == null ? (st > 0 ? n : -1) : clamp(toLong(stop), n, lo, hi);
        List<Object> out = new ArrayList<>();
        for (long i = from; st > 0 ? i < to : i > to; i += st) out.add(items.get((int) i));
        if (obj instanceof String) return String.join("", out.stream().map(String.class::cast).toList());
        return out;
    }

    private static long clamp(long i, int n, long lo, long hi) {
        if (i < 0) i += n;
        return Math.max(lo, Math.min(hi, i));
    }

    static Iterator<Object> iterator(Object v) {
        return iterate(v).iterator();
    }
}
