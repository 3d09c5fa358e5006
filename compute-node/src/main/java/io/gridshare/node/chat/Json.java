package io.gridshare.node.chat;

import java.util.List;
import java.util.Map;

/**
 * {@code tojson} as transformers defines it: Python's {@code json.dumps} with
 * {@code ensure_ascii=False}, so separators are {@code ", "} and {@code ": "} (or {@code ","} and
 * newlines when indenting) and non-ASCII text is kept as is.
 */
final class Json {
    private Json() {
    }

    static String dumps(Object value, Integer indent, boolean sortKeys) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, indent, sortKeys, 0);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v, Integer indent, boolean sortKeys, int level) {
        switch (v) {
            case null -> sb.append("null");
            case Undefined u -> throw new ChatTemplateException("tojson: '" + u.name() + "' is undefined");
            case Boolean b -> sb.append(b ? "true" : "false");
            case Long l -> sb.append(l);
            case Double d -> sb.append(Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity") : Values.floatRepr(d));
            case String s -> string(sb, s);
            case List<?> list -> {
                if (list.isEmpty()) {
                    sb.append("[]");
                    return;
                }
                sb.append('[');
                for (int i = 0; i < list.size(); i++) {
                    separator(sb, i == 0, indent, level + 1);
                    write(sb, list.get(i), indent, sortKeys, level + 1);
                }
                close(sb, indent, level);
                sb.append(']');
            }
            case Map<?, ?> map -> {
                if (map.isEmpty()) {
                    sb.append("{}");
                    return;
                }
                sb.append('{');
                List<? extends Map.Entry<?, ?>> entries = sortKeys
                        ? map.entrySet().stream().sorted((a, b) -> Values.str(a.getKey()).compareTo(Values.str(b.getKey()))).toList()
                        : List.copyOf(map.entrySet());
                boolean first = true;
                for (Map.Entry<?, ?> e : entries) {
                    separator(sb, first, indent, level + 1);
                    first = false;
                    string(sb, Values.str(e.getKey()));
                    sb.append(": ");
                    write(sb, e.getValue(), indent, sortKeys, level + 1);
                }
                close(sb, indent, level);
                sb.append('}');
            }
            default -> throw new ChatTemplateException("tojson: cannot serialise " + Values.typeName(v));
        }
    }

    private static void separator(StringBuilder sb, boolean first, Integer indent, int level) {
        if (indent == null) {
            if (!first) sb.append(", ");
            return;
        }
        if (!first) sb.append(',');
        sb.append('\n').append(" ".repeat(indent * level));
    }

    private static void close(StringBuilder sb, Integer indent, int level) {
        if (indent != null) sb.append('\n').append(" ".repeat(indent * level));
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
