package dev.mapsync.cli;

import java.lang.reflect.Array;
import java.util.Map;

/** Writes values as JSON: numbers, strings, booleans, arrays and objects keyed by field name. */
final class Json {
    private Json() {}

    static String of(Object value) {
        StringBuilder b = new StringBuilder();
        write(b, value);
        return b.toString();
    }

    static void write(StringBuilder b, Object value) {
        switch (value) {
            case null -> b.append("null");
            case String s -> string(b, s);
            case Boolean bool -> b.append(bool);
            case Double d when d.isNaN() || d.isInfinite() -> string(b, d.toString());
            case Float f when f.isNaN() || f.isInfinite() -> string(b, f.toString());
            case Number n -> b.append(n);
            case Unsigned u -> b.append(u);
            case Map<?, ?> map -> {
                b.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (!first) b.append(',');
                    first = false;
                    string(b, String.valueOf(e.getKey()));
                    b.append(':');
                    write(b, e.getValue());
                }
                b.append('}');
            }
            case Iterable<?> list -> {
                b.append('[');
                boolean first = true;
                for (Object o : list) {
                    if (!first) b.append(',');
                    first = false;
                    write(b, o);
                }
                b.append(']');
            }
            default -> {
                if (value.getClass().isArray()) {
                    b.append('[');
                    for (int i = 0; i < Array.getLength(value); i++) {
                        if (i > 0) b.append(',');
                        write(b, Array.get(value, i));
                    }
                    b.append(']');
                } else {
                    string(b, value.toString());
                }
            }
        }
    }

    private static void string(StringBuilder b, String s) {
        ValueText.escape(b.append('"'), s, true).append('"');
    }

    /** An unsigned 64-bit number, printed without a sign. */
    record Unsigned(long bits) {
        @Override
        public String toString() {
            return Long.toUnsignedString(bits);
        }
    }
}
