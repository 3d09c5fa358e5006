package io.gridshare.node.chat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Jinja2's filters and tests that chat templates use, with Python semantics. */
final class Filters {
    private Filters() {
    }

    static Object filter(String name, Object v, List<Object> args, Map<String, Object> kw) {
        return switch (name) {
            case "trim" -> args.isEmpty() ? Values.str(v).strip() : Methods.strip(Values.str(v), Values.str(args.getFirst()), true, true);
            case "tojson" -> {
                Object indent = kw.containsKey("indent") ? kw.get("indent") : args.isEmpty() ? null : args.getFirst();
                yield Json.dumps(v, indent == null ? null : Integer.valueOf((int) Values.toLong(indent)), Values.truthy(kw.get("sort_keys")));
            }
            case "length", "count" -> (long) Values.length(v);
            case "list" -> Values.iterate(v);
            case "string" -> Values.str(v);
            case "lower" -> Values.str(v).toLowerCase();
            case "upper" -> Values.str(v).toUpperCase();
            case "capitalize" -> Methods.call(Values.str(v), "capitalize", List.of(), Map.of());
            case "title" -> Methods.call(Values.str(v), "title", List.of(), Map.of());
            case "first" -> {
                List<Object> items = Values.iterate(v);
                yield items.isEmpty() ? new Undefined("first of an empty sequence") : items.getFirst();
            }
            case "last" -> {
                List<Object> items = Values.iterate(v);
                yield items.isEmpty() ? new Undefined("last of an empty sequence") : items.getLast();
            }
            case "reverse" -> {
                if (v instanceof String s) yield new StringBuilder(s).reverse().toString();
                List<Object> items = Values.iterate(v);
                Collections.reverse(items);
                yield items;
            }
            case "join" -> {
                String sep = args.isEmpty() ? "" : Values.str(args.getFirst());
                List<String> parts = new ArrayList<>();
                for (Object o : Values.iterate(v)) parts.add(Values.str(attribute(o, kw.get("attribute"))));
                yield String.join(sep, parts);
            }
            case "default", "d" -> {
                boolean checkFalsy = args.size() > 1 && Values.truthy(args.get(1)) || Values.truthy(kw.get("boolean"));
                Object fallback = args.isEmpty() ? kw.getOrDefault("default_value", "") : args.getFirst();
                yield v instanceof Undefined || (checkFalsy && !Values.truthy(v)) ? fallback : v;
            }
            case "selectattr", "rejectattr" -> {
                if (args.isEmpty()) throw new ChatTemplateException(name + " needs an attribute name");
                List<Object> out = new ArrayList<>();
                for (Object o : Values.iterate(v)) {
                    Object attr = attribute(o, args.getFirst());
                    boolean pass = args.size() < 2 ? Values.truthy(attr)
                            : test(Values.str(args.get(1)), attr, args.subList(2, args.size()));
                    if (pass == name.equals("selectattr")) out.add(o);
                }
                yield out;
            }
            case "select", "reject" -> {
                List<Object> out = new ArrayList<>();
                for (Object o : Values.iterate(v)) {
                    boolean pass = args.isEmpty() ? Values.truthy(o) : test(Values.str(args.getFirst()), o, args.subList(1, args.size()));
                    if (pass == name.equals("select")) out.add(o);
                }
                yield out;
            }
            case "map" -> {
                List<Object> out = new ArrayList<>();
                for (Object o : Values.iterate(v)) {
                    out.add(kw.containsKey("attribute") ? attribute(o, kw.get("attribute"))
                            : filter(Values.str(args.getFirst()), o, args.subList(1, args.size()), Map.of()));
                }
                yield out;
            }
            case "items" -> v instanceof Map<?, ?> m ? Methods.call(m, "items", List.of(), Map.of()) : new ArrayList<>();
            case "int" -> v instanceof String s ? parseLong(s) : Values.isNumber(v) ? Values.toLong(v) : 0L;
            case "float" -> v instanceof String s ? parseDouble(s) : Values.isNumber(v) ? Values.toDouble(v) : 0.0;
            case "abs" -> v instanceof Long l ? (Object) Math.abs(l) : (Object) Math.abs(Values.toDouble(v));
            case "replace" -> Values.str(v).replace(Values.str(args.get(0)), Values.str(args.get(1)));
            case "safe", "e", "escape", "forceescape" -> v; // no autoescaping: chat prompts are plain text
            case "unique" -> {
                List<Object> out = new ArrayList<>();
                for (Object o : Values.iterate(v)) if (out.stream().noneMatch(x -> Values.equal(x, o))) out.add(o);
                yield out;
            }
            default -> throw new ChatTemplateException("unknown filter '" + name + "'");
        };
    }

    private static Object parseLong(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return 0L;
        }
    }

    private static Object parseDouble(String s) {
        try {
            return Double.parseDouble(s.strip());
        } catch (NumberFormatException e) {
            return 0.0;
        }
    }

    /** Attribute by (dotted) name, as selectattr/map(attribute=...) read it. */
    static Object attribute(Object o, Object name) {
        if (name == null) return o;
        Object cur = o;
        for (String part : Values.str(name).split("\\.")) {
            cur = cur instanceof Map<?, ?> m && m.containsKey(part) ? m.get(part) : new Undefined(part);
        }
        return cur;
    }

    static boolean test(String name, Object v, List<Object> args) {
        return switch (name) {
            case "defined" -> !(v instanceof Undefined);
            case "undefined" -> v instanceof Undefined;
            case "none" -> v == null;
            case "string" -> v instanceof String;
            case "number" -> v instanceof Long || v instanceof Double;
            case "integer" -> v instanceof Long;
            case "float" -> v instanceof Double;
            case "boolean" -> v instanceof Boolean;
            case "true" -> Boolean.TRUE.equals(v);
            case "false" -> Boolean.FALSE.equals(v);
            case "mapping" -> v instanceof Map;
            case "sequence" -> v instanceof List || v instanceof String || v instanceof Map;
            case "iterable" -> v instanceof List || v instanceof String || v instanceof Map;
            case "callable" -> v instanceof Builtins.Callable;
            case "equalto", "eq", "==", "sameas" -> Values.equal(v, args.getFirst());
            case "ne", "!=" -> !Values.equal(v, args.getFirst());
            case "lt", "lessthan", "<" -> Values.compare(v, args.getFirst()) < 0;
            case "le", "<=" -> Values.compare(v, args.getFirst()) <= 0;
            case "gt", "greaterthan", ">" -> Values.compare(v, args.getFirst()) > 0;
            case "ge", ">=" -> Values.compare(v, args.getFirst()) >= 0;
            case "in" -> Values.contains(args.getFirst(), v);
            case "odd" -> Values.toLong(v) % 2 != 0;
            case "even" -> Values.toLong(v) % 2 == 0;
            case "divisibleby" -> Values.toLong(v) % Values.toLong(args.getFirst()) == 0;
            case "lower" -> v instanceof String s && s.equals(s.toLowerCase());
            case "upper" -> v instanceof String s && s.equals(s.toUpperCase());
            default -> throw new ChatTemplateException("unknown test '" + name + "'");
        };
    }

    static Map<String, Object> copy(Map<?, ?> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(Values.str(k), v));
        return out;
    }
}
