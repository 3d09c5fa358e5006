package io.gridshare.node.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Python methods of str, dict and list that chat templates call ({@code content.strip()}, {@code m.get('x')}). */
final class Methods {
    private static final Set<String> STRING = Set.of("strip", "lstrip", "rstrip", "startswith", "endswith", "split",
            "upper", "lower", "title", "capitalize", "replace", "find", "count", "join", "splitlines");
    private static final Set<String> DICT = Set.of("get", "items", "keys", "values");
    private static final Set<String> LIST = Set.of("index", "count");

    private Methods() {
    }

    /** The bound method {@code obj.name}, or null when {@code obj} has no such method. */
    static Builtins.Callable bound(Object obj, String name) {
        boolean known = obj instanceof String ? STRING.contains(name)
                : obj instanceof Map ? DICT.contains(name)
                : obj instanceof List && LIST.contains(name);
        return known ? (args, kw) -> call(obj, name, args, kw) : null;
    }

    static Object call(Object obj, String name, List<Object> args, Map<String, Object> kw) {
        if (obj instanceof String s) return string(s, name, args);
        if (obj instanceof Map<?, ?> m) {
            return switch (name) {
                case "get" -> {
                    Object key = args.getFirst();
                    yield m.containsKey(key) ? m.get(key) : (args.size() > 1 ? args.get(1) : null);
                }
                case "items" -> {
                    List<Object> out = new ArrayList<>();
                    m.forEach((k, v) -> out.add(new ArrayList<>(java.util.Arrays.asList(k, v))));
                    yield out;
                }
                case "keys" -> new ArrayList<Object>(m.keySet());
                case "values" -> new ArrayList<Object>(m.values());
                default -> throw new ChatTemplateException("dict has no method '" + name + "'");
            };
        }
        if (obj instanceof List<?> l) {
            return switch (name) {
                case "count" -> l.stream().filter(x -> Values.equal(x, args.getFirst())).count();
                case "index" -> {
                    for (int i = 0; i < l.size(); i++) if (Values.equal(l.get(i), args.getFirst())) yield (long) i;
                    throw new ChatTemplateException(Values.repr(args.getFirst()) + " is not in list");
                }
                default -> throw new ChatTemplateException("list has no method '" + name + "'");
            };
        }
        throw new ChatTemplateException(Values.typeName(obj) + " has no method '" + name + "'");
    }

    private static Object string(String s, String name, List<Object> args) {
        Object a0 = args.isEmpty() ? null : args.getFirst();
        return switch (name) {
            case "strip" -> strip(s, a0 == null ? null : Values.str(a0), true, true);
            case "lstrip" -> strip(s, a0 == null ? null : Values.str(a0), true, false);
            case "rstrip" -> strip(s, a0 == null ? null : Values.str(a0), false, true);
            case "startswith" -> a0 instanceof List<?> l ? l.stream().anyMatch(p -> s.startsWith(Values.str(p))) : s.startsWith(Values.str(a0));
            case "endswith" -> a0 instanceof List<?> l ? l.stream().anyMatch(p -> s.endsWith(Values.str(p))) : s.endsWith(Values.str(a0));
            case "upper" -> s.toUpperCase();
            case "lower" -> s.toLowerCase();
            case "capitalize" -> s.isEmpty() ? s : s.substring(0, 1).toUpperCase() + s.substring(1).toLowerCase();
            case "title" -> title(s);
            case "replace" -> s.replace(Values.str(args.get(0)), Values.str(args.get(1)));
            case "find" -> (long) s.indexOf(Values.str(a0));
            case "count" -> (long) (s.isEmpty() ? 0 : s.split(java.util.regex.Pattern.quote(Values.str(a0)), -1).length - 1);
            case "join" -> String.join(s, Values.iterate(a0).stream().map(Values::str).toList());
            case "splitlines" -> new ArrayList<Object>(s.lines().toList());
            case "split" -> split(s, a0 == null ? null : Values.str(a0), args.size() > 1 ? (int) Values.toLong(args.get(1)) : -1);
            default -> throw new ChatTemplateException("str has no method '" + name + "'");
        };
    }

    static String strip(String s, String chars, boolean left, boolean right) {
        int start = 0;
        int end = s.length();
        while (left && start < end && stripped(s.charAt(start), chars)) start++;
        while (right && end > start && stripped(s.charAt(end - 1), chars)) end--;
        return s.substring(start, end);
    }

    private static boolean stripped(char c, String chars) {
        return chars == null ? Character.isWhitespace(c) || Character.isSpaceChar(c) : chars.indexOf(c) >= 0;
    }

    private static String title(String s) {
        StringBuilder sb = new StringBuilder();
        boolean prevLetter = false;
        for (char c : s.toCharArray()) {
            sb.append(prevLetter ? Character.toLowerCase(c) : Character.toUpperCase(c));
            prevLetter = Character.isLetter(c);
        }
        return sb.toString();
    }

    private static List<Object> split(String s, String sep, int max) {
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            for (String part : s.strip().split("\\s+", max < 0 ? 0 : max + 1)) if (!part.isEmpty()) out.add(part);
            return out;
        }
        if (sep.isEmpty()) throw new ChatTemplateException("split(): empty separator");
        int from = 0;
        while (max < 0 || out.size() < max) {
            int i = s.indexOf(sep, from);
            if (i < 0) break;
            out.add(s.substring(from, i));
            from = i + sep.length();
        }
        out.add(s.substring(from));
        return out;
    }
}
