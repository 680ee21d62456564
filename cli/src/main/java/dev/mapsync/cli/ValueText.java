package dev.mapsync.cli;

import dev.mapsync.InvalidValueException;
import dev.mapsync.Schema;

import java.lang.reflect.Array;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The command line's text form of values, the same for input and output so that what {@code get} prints can be
 * given back to {@code set}: a scalar ({@code 42}, {@code -1.5}, {@code true}), a string ({@code ada}, or
 * {@code "a, b"} quoted when it holds {@code , = " [ ]} or spaces at its ends), an array ({@code [1,2,3]}), and
 * for structs a comma-separated list of {@code field=value} with dotted paths for nested fields
 * ({@code id=7,pos.x=1,owner=ada}).
 */
public final class ValueText {
    private ValueText() {}

    /** The value of {@code schema} whose bytes are all zero (as read back by its dynamic codec). */
    static Object zero(Schema schema) {
        return dev.mapsync.Codec.of(schema).read(java.lang.foreign.MemorySegment.ofArray(new byte[schema.size()]), 0);
    }

    /** The text of {@code value}, which has {@code schema}. */
    public static String format(Schema schema, Object value) {
        if (schema.kind() == Schema.Kind.STRUCT) {
            StringBuilder b = new StringBuilder();
            appendFields(b, schema, asMap(value), "");
            return b.toString();
        }
        return literal(schema, value);
    }

    private static void appendFields(StringBuilder b, Schema struct, Map<?, ?> value, String prefix) {
        for (Schema.Field f : struct.fields()) {
            Object v = value.get(f.name());
            if (f.type().kind() == Schema.Kind.STRUCT) {
                appendFields(b, f.type(), asMap(v), prefix + f.name() + ".");
            } else {
                if (!b.isEmpty()) b.append(',');
                b.append(prefix).append(f.name()).append('=').append(literal(f.type(), v));
            }
        }
    }

    private static String literal(Schema schema, Object value) {
        return switch (schema.kind()) {
            case CHARS -> quoteIfNeeded((String) value);
            case ARRAY -> {
                StringBuilder b = new StringBuilder("[");
                Schema element = schema.element().orElseThrow();
                for (int i = 0; i < Array.getLength(value); i++) {
                    if (i > 0) b.append(',');
                    b.append(scalar(element.kind(), Array.get(value, i)));
                }
                yield b.append(']').toString();
            }
            default -> scalar(schema.kind(), value);
        };
    }

    private static String scalar(Schema.Kind kind, Object v) {
        return switch (kind) {
            case U64 -> Long.toUnsignedString(((Number) v).longValue());
            case U8 -> Integer.toString(((Number) v).intValue() & 0xFF);
            case U16 -> Integer.toString(((Number) v).intValue() & 0xFFFF);
            case U32 -> Long.toString(((Number) v).longValue() & 0xFFFF_FFFFL);
            default -> String.valueOf(v);
        };
    }

    /** {@code value} as plain JSON-ready objects: unsigned numbers without a sign, arrays as lists. */
    static Object jsonValue(Schema schema, Object value) {
        return switch (schema.kind()) {
            case STRUCT -> {
                Map<String, Object> out = new LinkedHashMap<>();
                Map<?, ?> in = asMap(value);
                for (Schema.Field f : schema.fields()) out.put(f.name(), jsonValue(f.type(), in.get(f.name())));
                yield out;
            }
            case ARRAY -> {
                List<Object> out = new ArrayList<>();
                Schema element = schema.element().orElseThrow();
                for (int i = 0; i < Array.getLength(value); i++) out.add(jsonValue(element, Array.get(value, i)));
                yield out;
            }
            case U64 -> new Json.Unsigned(((Number) value).longValue());
            case U8, U16, U32 -> new BigInteger(scalar(schema.kind(), value));
            default -> value;
        };
    }

    private static Map<?, ?> asMap(Object value) {
        if (value instanceof Map<?, ?> m) return m;
        throw new IllegalStateException("a struct value should be a map, not " + value);
    }

    /**
     * Whether {@code c} is written as an escape: a control character (C0, DEL, C1, NEL among them) or a line or
     * paragraph separator, each of which ends a line for some reader or terminal.
     */
    static boolean isControl(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029;
    }

    private static String quoteIfNeeded(String s) {
        boolean plain = !s.isEmpty() && s.strip().equals(s) && !s.startsWith("\"");
        for (int i = 0; plain && i < s.length(); i++) {
            char c = s.charAt(i);
            plain = c != ',' && c != '=' && c != '[' && c != ']' && !isControl(c);
        }
        if (plain) return s;
        // one value, one line: a line break or another control character is written as an escape, which parses back
        return escape(new StringBuilder("\""), s, true).append('"').toString();
    }

    /**
     * Appends {@code s} to {@code b} with line breaks, tabs and the other control characters written as escapes
     * ({@code \\n}, {@code \\r}, {@code \\t}, {@code \\uXXXX}), and with {@code quotes} a double quote and a backslash
     * behind a backslash: the escapes values, JSON and messages share.
     */
    static StringBuilder escape(StringBuilder b, String s, boolean quotes) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"', '\\' -> (quotes ? b.append('\\') : b).append(c);
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (isControl(c)) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b;
    }

    /**
     * Parses {@code text} as a value of {@code schema}. For structs, the assignments change a copy of
     * {@code current} (the value now stored), so that fields not named keep their values.
     *
     * @throws InvalidValueException saying what is wrong and where
     */
    static Object parse(Schema schema, String text, Object current) {
        return parse(schema, text, current, new HashSet<>());
    }

    /**
     * {@code text} parsed as a whole value of {@code schema}, which needs no value now stored: empty if it is a
     * struct's assignments that leave a field out.
     *
     * @throws InvalidValueException saying what is wrong and where
     */
    static Optional<Object> parseWhole(Schema schema, String text) {
        Set<String> named = new HashSet<>();
        Object value = parse(schema, text, zero(schema), named);
        return schema.kind() != Schema.Kind.STRUCT || named.size() == leaves(schema) ? Optional.of(value)
                : Optional.empty();
    }

    /** How many fields of {@code struct} are no structs, counting those of nested structs. */
    private static int leaves(Schema struct) {
        int n = 0;
        for (Schema.Field f : struct.fields()) n += f.type().kind() == Schema.Kind.STRUCT ? leaves(f.type()) : 1;
        return n;
    }

    /** {@link #parse(Schema, String, Object)}, adding to {@code named} the paths of the fields assigned. */
    private static Object parse(Schema schema, String text, Object current, Set<String> named) {
        Cursor c = new Cursor(text);
        Object value;
        if (schema.kind() == Schema.Kind.STRUCT) {
            Map<String, Object> result = deepCopy(asMap(current));
            do {
                String path = c.until('=').strip();
                c.expect('=');
                Schema.Field f = schema.field(path).filter(x -> x.type().kind() != Schema.Kind.STRUCT)
                        .orElseThrow(() -> new InvalidValueException("no field '" + path + "' in " + schema
                                + " (name fields as field=value, nested ones as a.b=value)"));
                // the last would win silently: a typo that repeats a field must not look like success
                if (!named.add(path)) throw new InvalidValueException("field '" + path + "' is given twice");
                put(result, path, literalValue(f.type(), c, path));
            } while (c.skip(','));
            value = result;
        } else {
            value = literalValue(schema, c, "");
        }
        if (!c.atEnd()) throw new InvalidValueException("unexpected '" + c.rest() + "' after the value");
        return value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> deepCopy(Map<?, ?> in) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : in.entrySet()) {
            Object v = e.getValue() instanceof Map<?, ?> m ? deepCopy(m) : e.getValue();
            out.put((String) e.getKey(), v);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> root, String path, Object value) {
        String[] parts = path.split("\\.");
        Map<String, Object> m = root;
        for (int i = 0; i < parts.length - 1; i++) m = (Map<String, Object>) m.get(parts[i]);
        m.put(parts[parts.length - 1], value);
    }

    private static Object literalValue(Schema schema, Cursor c, String field) {
        String where = field.isEmpty() ? "" : "field '" + field + "': ";
        switch (schema.kind()) {
            case CHARS -> {
                return c.peek('"') ? c.quoted() : c.bare();
            }
            case ARRAY -> {
                c.expect('[');
                List<Object> items = new ArrayList<>();
                if (!c.skip(']')) {
                    do {
                        items.add(scalarValue(schema.element().orElseThrow().kind(), c.bareUntil(",]"), where));
                    } while (c.skip(','));
                    c.expect(']');
                }
                return items;
            }
            default -> {
                return scalarValue(schema.kind(), c.bare(), where);
            }
        }
    }

    private static Object scalarValue(Schema.Kind kind, String token, String where) {
        String t = token.strip();
        try {
            return switch (kind) {
                case BOOL -> switch (t) {
                    case "true", "1" -> true;
                    case "false", "0" -> false;
                    default -> throw new InvalidValueException(where + "'" + t + "' is not a bool (true or false)");
                };
                case F32 -> {
                    float f = Float.parseFloat(t);
                    if (Float.isInfinite(f) && !spellsInfinity(t)) throw floatRange(kind, t, where, Float.toString(Float.MAX_VALUE));
                    yield f;
                }
                case F64 -> {
                    double d = Double.parseDouble(t);
                    if (Double.isInfinite(d) && !spellsInfinity(t)) throw floatRange(kind, t, where, Double.toString(Double.MAX_VALUE));
                    yield d;
                }
                default -> {
                    BigInteger v = t.startsWith("0x") || t.startsWith("0X") ? new BigInteger(t.substring(2), 16)
                            : t.startsWith("-0x") ? new BigInteger(t.substring(3), 16).negate() : new BigInteger(t);
                    yield v.bitLength() < 64 ? (Object) v.longValue() : v;
                }
            };
        } catch (NumberFormatException e) {
            throw new InvalidValueException(where + "'" + t + "' is not a number of type " + kind);
        }
    }

    /** True for {@code Infinity} and {@code -Infinity}: the only texts whose value is meant to be infinite. */
    private static boolean spellsInfinity(String t) {
        return t.equals("Infinity") || t.equals("+Infinity") || t.equals("-Infinity");
    }

    /** A finite number that would round to an infinity in a float of {@code kind}: not the value given, so refused. */
    private static InvalidValueException floatRange(Schema.Kind kind, String t, String where, String max) {
        return new InvalidValueException(where + t + " is out of range for " + kind + " (-" + max + ".." + max + ")");
    }

    /** Reads through the text of one value. */
    private static final class Cursor {
        private final String s;
        private int pos;

        Cursor(String s) {
            this.s = s;
        }

        boolean atEnd() {
            return pos >= s.length();
        }

        String rest() {
            return s.substring(pos);
        }

        boolean peek(char c) {
            return pos < s.length() && s.charAt(pos) == c;
        }

        boolean skip(char c) {
            if (!peek(c)) return false;
            pos++;
            return true;
        }

        void expect(char c) {
            if (!skip(c)) {
                throw new InvalidValueException("expected '" + c + "' at position " + (pos + 1) + " of '" + s + "'");
            }
        }

        String until(char c) {
            int start = pos;
            while (pos < s.length() && s.charAt(pos) != c) pos++;
            return s.substring(start, pos);
        }

        /** Up to the next top-level comma. */
        String bare() {
            return bareUntil(",");
        }

        String bareUntil(String stops) {
            int start = pos;
            while (pos < s.length() && stops.indexOf(s.charAt(pos)) < 0) pos++;
            return s.substring(start, pos);
        }

        /** The character an escape stands for: {@code \\n}, {@code \\r}, {@code \\t}, {@code \\uXXXX}, else itself. */
        private char escaped(char c) {
            return switch (c) {
                case 'n' -> '\n';
                case 'r' -> '\r';
                case 't' -> '\t';
                case 'u' -> {
                    int u = 0, digits = pos;
                    for (; pos < digits + 4; pos++) {
                        int digit = pos < s.length() ? Character.digit(s.charAt(pos), 16) : -1;
                        if (digit < 0) throw badEscape(digits);
                        u = u * 16 + digit;
                    }
                    yield (char) u;
                }
                default -> c;
            };
        }

        private InvalidValueException badEscape(int at) {
            return new InvalidValueException("expected four hex digits after \\u at position " + (at + 1) + " of '" + s
                    + "'");
        }

        /**
         * A quoted string, its escapes replaced.
         *
         * @throws InvalidValueException if an escape makes half of a surrogate pair without the other half: UTF-8
         *                               has no bytes for it (it would be stored as '?')
         */
        String quoted() {
            expect('"');
            StringBuilder b = new StringBuilder();
            int loneAt = -1; // where the last char began in s, while it is a high surrogate waiting for its low one
            while (pos < s.length() && s.charAt(pos) != '"') {
                int at = pos;
                char c = s.charAt(pos++);
                if (c == '\\' && pos < s.length()) c = escaped(s.charAt(pos++));
                if (loneAt >= 0 && !Character.isLowSurrogate(c)) throw loneSurrogate(loneAt);
                if (loneAt < 0 && Character.isLowSurrogate(c)) throw loneSurrogate(at);
                loneAt = Character.isHighSurrogate(c) ? at : -1;
                b.append(c);
            }
            if (loneAt >= 0) throw loneSurrogate(loneAt);
            expect('"');
            return b.toString();
        }

        private InvalidValueException loneSurrogate(int at) {
            int end = s.startsWith("\\u", at) ? at + 6 : at + 1;
            return new InvalidValueException(s.substring(at, end).toLowerCase(Locale.ROOT) + " at position "
                    + (at + 1) + " of '" + s + "' is half of a surrogate pair, not a character");
        }
    }
}
