package io.gridshare.node.chat;

import java.util.ArrayList;
import java.util.List;

/** Python's binary operators on template values. */
final class Operators {
    private Operators() {
    }

    static Object apply(String op, Object a, Object b) {
        return switch (op) {
            case "==" -> Values.equal(a, b);
            case "!=" -> !Values.equal(a, b);
            case "<" -> Values.compare(a, b) < 0;
            case "<=" -> Values.compare(a, b) <= 0;
            case ">" -> Values.compare(a, b) > 0;
            case ">=" -> Values.compare(a, b) >= 0;
            case "in" -> Values.contains(b, a);
            case "~" -> Values.str(a) + Values.str(b);
            case "+" -> plus(a, b);
            case "*" -> times(a, b);
            default -> arithmetic(op, a, b);
        };
    }

    private static Object plus(Object a, Object b) {
        if (a instanceof String x && b instanceof String y) return x + y;
        if (a instanceof List<?> x && b instanceof List<?> y) {
            List<Object> out = new ArrayList<>(x);
            out.addAll(y);
            return out;
        }
        if (Values.isNumber(a) && Values.isNumber(b)) return arithmetic("+", a, b);
        throw unsupported("+", a, b);
    }

    private static Object times(Object a, Object b) {
        if (a instanceof String s && b instanceof Long n) return s.repeat((int) Math.max(0, n));
        if (a instanceof Long n && b instanceof String s) return s.repeat((int) Math.max(0, n));
        return arithmetic("*", a, b);
    }

    private static Object arithmetic(String op, Object a, Object b) {
        if (!Values.isNumber(a) || !Values.isNumber(b)) throw unsupported(op, a, b);
        boolean integral = !(a instanceof Double) && !(b instanceof Double);
        if (integral && !op.equals("/")) {
            long x = Values.toLong(a);
            long y = Values.toLong(b);
            return switch (op) {
                case "+" -> x + y;
                case "-" -> x - y;
                case "*" -> x * y;
                case "//" -> Math.floorDiv(x, nonZero(y));
                case "%" -> Math.floorMod(x, nonZero(y));
                case "**" -> y >= 0 ? (Object) (long) Math.pow(x, y) : (Object) Math.pow(x, y);
                default -> throw new ChatTemplateException("unknown operator " + op);
            };
        }
        double x = Values.toDouble(a);
        double y = Values.toDouble(b);
        return switch (op) {
            case "+" -> x + y;
            case "-" -> x - y;
            case "*" -> x * y;
            case "/" -> x / nonZero(y);
            case "//" -> Math.floor(x / nonZero(y));
            case "%" -> x - Math.floor(x / nonZero(y)) * y;
            case "**" -> Math.pow(x, y);
            default -> throw new ChatTemplateException("unknown operator " + op);
        };
    }

    private static long nonZero(long y) {
        if (y == 0) throw new ChatTemplateException("division by zero");
        return y;
    }

    private static double nonZero(double y) {
        if (y == 0) throw new ChatTemplateException("division by zero");
        return y;
    }

    private static ChatTemplateException unsupported(String op, Object a, Object b) {
        if (a instanceof Undefined u) return new ChatTemplateException("'" + u.name() + "' is undefined");
        if (b instanceof Undefined u) return new ChatTemplateException("'" + u.name() + "' is undefined");
        return new ChatTemplateException("unsupported operand types for " + op + ": '" + Values.typeName(a)
                + "' and '" + Values.typeName(b) + "'");
    }
}
