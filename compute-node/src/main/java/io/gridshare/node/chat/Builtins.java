package io.gridshare.node.chat;

import java.time.Clock;
import java.time.LocalDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The global functions chat templates call: raise_exception, strftime_now, namespace, range, dict. */
final class Builtins {
    private Builtins() {
    }

    /** A function value a template can call. */
    interface Callable {
        Object call(List<Object> args, Map<String, Object> kwargs);
    }

    /** The result of {@code namespace(...)}: the one object whose attributes {@code set} may change. */
    static final class Namespace extends LinkedHashMap<String, Object> {
    }

    /** Raised by the template's own {@code raise_exception(message)}; the message passes through unchanged. */
    static final class TemplateRaised extends ChatTemplateException {
        TemplateRaised(String message) {
            super(message);
        }
    }

    static Map<String, Object> globals(Clock clock) {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("raise_exception", (Callable) (args, kw) -> {
            throw new TemplateRaised(args.isEmpty() ? "raise_exception() called by the chat template" : Values.str(args.getFirst()));
        });
        g.put("strftime_now", (Callable) (args, kw) -> strftime(Values.str(args.getFirst()), LocalDateTime.now(clock)));
        g.put("namespace", (Callable) (args, kw) -> {
            Namespace ns = new Namespace();
            for (Object a : args) if (a instanceof Map<?, ?> m) m.forEach((k, v) -> ns.put(Values.str(k), v));
            ns.putAll(kw);
            return ns;
        });
        g.put("dict", (Callable) (args, kw) -> {
            Map<String, Object> d = new LinkedHashMap<>();
            for (Object a : args) if (a instanceof Map<?, ?> m) m.forEach((k, v) -> d.put(Values.str(k), v));
            d.putAll(kw);
            return d;
        });
        g.put("range", (Callable) (args, kw) -> {
            long start = args.size() > 1 ? Values.toLong(args.get(0)) : 0;
            long stop = Values.toLong(args.size() > 1 ? args.get(1) : args.getFirst());
            long step = args.size() > 2 ? Values.toLong(args.get(2)) : 1;
            if (step == 0) throw new ChatTemplateException("range() step must not be zero");
            List<Object> out = new ArrayList<>();
            for (long i = start; step > 0 ? i < stop : i > stop; i += step) out.add(i);
            return out;
        });
        return g;
    }

    /** Python's strftime for the directives chat templates use, in English as Python's C locale. */
    static String strftime(String format, LocalDateTime t) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                sb.append(c);
                continue;
            }
            char d = format.charAt(++i);
            switch (d) {
                case 'd' -> sb.append(String.format("%02d", t.getDayOfMonth()));
                case 'm' -> sb.append(String.format("%02d", t.getMonthValue()));
                case 'Y' -> sb.append(t.getYear());
                case 'y' -> sb.append(String.format("%02d", t.getYear() % 100));
                case 'b' -> sb.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'B' -> sb.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'a' -> sb.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'A' -> sb.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'H' -> sb.append(String.format("%02d", t.getHour()));
                case 'M' -> sb.append(String.format("%02d", t.getMinute()));
                case 'S' -> sb.append(String.format("%02d", t.getSecond()));
                case 'j' -> sb.append(String.format("%03d", t.getDayOfYear()));
                case '%' -> sb.append('%');
                default -> throw new ChatTemplateException("strftime_now: unsupported directive %" + d);
            }
        }
        return sb.toString();
    }
}
