package dev.mapsync;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The type of a map's keys or values, laid out by C's natural-alignment rules so that the matching C struct
 * reads the same bytes. A schema is a scalar ({@code i64}), a fixed-size UTF-8 string ({@code char[16]}), a
 * fixed-length array of a scalar ({@code i32[4]}), or a struct of named fields.
 *
 * <p>Its compact text form is stored in every map's header and accepted by the command line:
 * <pre>
 * schema  := type | fields
 * fields  := field ("," field)*
 * field   := name ":" type
 * type    := scalar | scalar "[" N "]" | "char[" N "]" | "{" fields "}"
 * scalar  := i8 | i16 | i32 | i64 | u8 | u16 | u32 | u64 | f32 | f64 | bool
 * </pre>
 * For example {@code id:i64,balance:i64,owner:char[16]} is the C struct
 * {@code struct { int64_t id; int64_t balance; char owner[16]; }}: 32 bytes, 8-byte aligned.
 *
 * <p>Layout rules (those of gcc and clang on Linux): every scalar is aligned to its size, an array to its
 * element, {@code char[N]} to 1, a struct to its most aligned field; a field starts at the next multiple of
 * its alignment and a struct's size is rounded up to its alignment.
 *
 * <p>Immutable and thread-safe. The factories and {@link #parse} throw {@link IllegalArgumentException} saying what
 * is wrong with a schema they are given.
 */
public final class Schema {
    /** The kinds of type a schema can describe. */
    public enum Kind {
        /** A signed 8-bit integer. */
        I8("i8", 1),
        /** A signed 16-bit integer. */
        I16("i16", 2),
        /** A signed 32-bit integer. */
        I32("i32", 4),
        /** A signed 64-bit integer. */
        I64("i64", 8),
        /** An unsigned 8-bit integer. */
        U8("u8", 1),
        /** An unsigned 16-bit integer. */
        U16("u16", 2),
        /** An unsigned 32-bit integer. */
        U32("u32", 4),
        /** An unsigned 64-bit integer. */
        U64("u64", 8),
        /** A 32-bit IEEE 754 float. */
        F32("f32", 4),
        /** A 64-bit IEEE 754 float. */
        F64("f64", 8),
        /** A boolean, one byte: 0 or 1. */
        BOOL("bool", 1),
        /** {@code char[N]}: a UTF-8 string of at most N bytes, padded with NUL bytes. */
        CHARS("char", 1),
        /** {@code scalar[N]}: N scalars. */
        ARRAY("array", 0),
        /** Named fields. */
        STRUCT("struct", 0);

        private final String text;
        private final int scalarSize;

        Kind(String text, int scalarSize) {
            this.text = text;
            this.scalarSize = scalarSize;
        }

        /** {@return true for the eleven scalar kinds} */
        public boolean isScalar() {
            return ordinal() <= BOOL.ordinal();
        }

        /** {@return true for the eight integer kinds} */
        public boolean isInteger() {
            return ordinal() <= U64.ordinal();
        }

        /** {@return true for u8, u16, u32 and u64} */
        public boolean isUnsigned() {
            return this == U8 || this == U16 || this == U32 || this == U64;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /**
     * A named field of a struct, at a byte offset from the start of the struct. An immutable value.
     *
     * @param name   the field's name
     * @param type   the field's type
     * @param offset the field's offset in bytes from the start of the struct
     */
    public record Field(String name, Schema type, int offset) {
        /**
         * Checks that the name and the type are given.
         *
         * @param name   the field's name
         * @param type   the field's type
         * @param offset the field's offset in bytes from the start of the struct
         * @throws NullPointerException if the name or the type is null
         */
        public Field {
            Objects.requireNonNull(name);
            Objects.requireNonNull(type);
        }

        @Override
        public String toString() {
            return name + ":" + type.text(false);
        }
    }

    private final Kind kind;
    private final int size;
    private final int alignment;
    private final int length;
    private final Schema element;
    private final List<Field> fields;

    private Schema(Kind kind, int size, int alignment, int length, Schema element, List<Field> fields) {
        this.kind = kind;
        this.size = size;
        this.alignment = alignment;
        this.length = length;
        this.element = element;
        this.fields = fields;
    }

    private static final Schema[] SCALARS = new Schema[Kind.BOOL.ordinal() + 1];

    static {
        for (Kind k : Kind.values()) {
            if (k.isScalar()) SCALARS[k.ordinal()] = new Schema(k, k.scalarSize, k.scalarSize, 1, null, List.of());
        }
    }

    /**
     * The schema of one scalar.
     *
     * @param kind one of the eleven scalar kinds
     * @return the schema
     * @throws IllegalArgumentException if the kind is not a scalar kind
     */
    public static Schema scalar(Kind kind) {
        if (!kind.isScalar()) throw new IllegalArgumentException(kind + " is not a scalar kind");
        return SCALARS[kind.ordinal()];
    }

    /**
     * {@code char[n]}: a UTF-8 string of at most {@code n} bytes.
     *
     * @param n the field size in bytes
     * @return the schema
     * @throws IllegalArgumentException if {@code n} is less than 1
     */
    public static Schema chars(int n) {
        if (n < 1) throw new IllegalArgumentException("char[" + n + "]: the length must be at least 1");
        return new Schema(Kind.CHARS, n, 1, n, null, List.of());
    }

    /**
     * {@code element[n]}: {@code n} scalars.
     *
     * @param element the schema of a scalar
     * @param n       the number of elements
     * @return the schema
     * @throws IllegalArgumentException if the element is not a scalar, {@code n} is less than 1, or the array would
     *                                  be larger than 2^31 - 1 bytes
     */
    public static Schema array(Schema element, int n) {
        if (!element.kind.isScalar()) {
            throw new IllegalArgumentException("arrays hold scalars, not " + element.text(false));
        }
        if (n < 1) throw new IllegalArgumentException(element + "[" + n + "]: the length must be at least 1");
        long size = (long) element.size * n;
        if (size > Integer.MAX_VALUE) throw new IllegalArgumentException(element + "[" + n + "] is too large");
        return new Schema(Kind.ARRAY, (int) size, element.alignment, n, element, List.of());
    }

    /**
     * A struct of the given fields, in order; each field is given as a name and a type ({@link #field}), and its
     * offset is computed here.
     *
     * @param namedTypes the fields
     * @return the schema
     * @throws IllegalArgumentException if there is no field, a name appears twice or is not an ASCII identifier, or
     *                                  the struct would be larger than 2^31 - 1 bytes
     */
    public static Schema struct(List<Field> namedTypes) {
        if (namedTypes.isEmpty()) throw new IllegalArgumentException("a struct needs at least one field");
        List<Field> laidOut = new ArrayList<>(namedTypes.size());
        Set<String> names = new LinkedHashSet<>();
        long offset = 0;
        int alignment = 1;
        for (Field f : namedTypes) {
            checkName(f.name());
            if (!names.add(f.name())) throw new IllegalArgumentException("field '" + f.name() + "' appears twice");
            offset = alignUp(offset, f.type().alignment);
            laidOut.add(new Field(f.name(), f.type(), (int) offset));
            offset += f.type().size;
            alignment = Math.max(alignment, f.type().alignment);
            if (offset > Integer.MAX_VALUE) throw new IllegalArgumentException("the struct is too large");
        }
        long size = alignUp(offset, alignment);
        if (size > Integer.MAX_VALUE) throw new IllegalArgumentException("the struct is too large");
        return new Schema(Kind.STRUCT, (int) size, alignment, 1, null, List.copyOf(laidOut));
    }

    /**
     * A field to pass to {@link #struct}; its offset is computed there.
     *
     * @param name the field's name
     * @param type the field's type
     * @return the field, at offset 0
     */
    public static Field field(String name, Schema type) {
        return new Field(name, type, 0);
    }

    /**
     * Parses the text form.
     *
     * @param text the text form, such as {@code id:i64,owner:char[16]}
     * @return the schema
     * @throws IllegalArgumentException naming the position and what was expected (also for structs nested more than
     *                                  {@link #MAX_DEPTH} deep)
     */
    public static Schema parse(String text) {
        return new Parser(text).parseTop();
    }

    /** {@return the kind of type} */
    public Kind kind() {
        return kind;
    }

    /** {@return the size in bytes, padding included ({@code sizeof} in C)} */
    public int size() {
        return size;
    }

    /** {@return the alignment in bytes ({@code _Alignof} in C)} */
    public int alignment() {
        return alignment;
    }

    /** {@return N for {@code char[N]} and arrays; otherwise 1} */
    public int length() {
        return length;
    }

    /** {@return the element of an array, or empty} */
    public Optional<Schema> element() {
        return Optional.ofNullable(element);
    }

    /** {@return the fields of a struct, in layout order, or an empty list} */
    public List<Field> fields() {
        return fields;
    }

    /**
     * Finds a field by name; {@code a.b} names field {@code b} of the struct in field {@code a}. The returned
     * field's offset is counted from the start of this schema.
     *
     * @param path the field's name, or names joined by {@code .}
     * @return the field, or empty if there is none at that path
     */
    public Optional<Field> field(String path) {
        Schema current = this;
        int offset = 0;
        Field found = null;
        for (String part : path.split("\\.", -1)) {
            if (current.kind != Kind.STRUCT) return Optional.empty();
            Field next = null;
            for (Field f : current.fields) {
                if (f.name().equals(part)) next = f;
            }
            if (next == null) return Optional.empty();
            offset += next.offset();
            current = next.type();
            found = next;
        }
        return found == null ? Optional.empty() : Optional.of(new Field(path, found.type(), offset));
    }

    /** The canonical text form; {@link #parse} of it gives an equal schema. */
    @Override
    public String toString() {
        return text(true);
    }

    private String text(boolean top) {
        return switch (kind) {
            case CHARS -> "char[" + length + "]";
            case ARRAY -> element.text(false) + "[" + length + "]";
            case STRUCT -> {
                StringBuilder b = new StringBuilder(top ? "" : "{");
                for (int i = 0; i < fields.size(); i++) {
                    if (i > 0) b.append(',');
                    b.append(fields.get(i));
                }
                yield b.append(top ? "" : "}").toString();
            }
            default -> kind.text;
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Schema s && s.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    static long alignUp(long n, int alignment) {
        return (n + alignment - 1) / alignment * alignment;
    }

    private static void checkName(String name) {
        if (name.isEmpty() || !(Character.isLetter(name.charAt(0)) || name.charAt(0) == '_')) {
            throw new IllegalArgumentException("field name '" + name + "' must start with a letter or '_'");
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '_') || c > 127) {
                throw new IllegalArgumentException("field name '" + name + "' may hold only ASCII letters, digits and '_'");
            }
        }
    }

    /** The deepest nesting of structs the text form may have. */
    public static final int MAX_DEPTH = 64;

    /** A recursive-descent parser for the text form. */
    private static final class Parser {
        private final String text;
        private int pos;
        private int depth;

        Parser(String text) {
            this.text = Objects.requireNonNull(text, "schema");
        }

        Schema parseTop() {
            skipSpaces();
            if (pos == text.length()) throw error("a type or a list of fields");
            Schema result = looksLikeField() ? parseFields('\0') : parseType();
            skipSpaces();
            if (pos != text.length()) throw error("',' or the end");
            return result;
        }

        private boolean looksLikeField() {
            int p = pos;
            while (p < text.length() && (Character.isLetterOrDigit(text.charAt(p)) || text.charAt(p) == '_')) p++;
            while (p < text.length() && text.charAt(p) == ' ') p++;
            return p < text.length() && text.charAt(p) == ':';
        }

        private Schema parseFields(char close) {
            List<Field> fields = new ArrayList<>();
            while (true) {
                skipSpaces();
                String name = identifier("a field name");
                skipSpaces();
                expect(':');
                skipSpaces();
                fields.add(field(name, parseType()));
                skipSpaces();
                if (pos < text.length() && text.charAt(pos) == ',') {
                    pos++;
                    continue;
                }
                if (close != '\0') expect(close);
                try {
                    return struct(fields);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("schema '" + shown() + "': " + e.getMessage());
                }
            }
        }

        private Schema parseType() {
            if (pos < text.length() && text.charAt(pos) == '{') {
                // each level is a recursion: text nested deeper than any struct needs would overflow the stack
                if (++depth > MAX_DEPTH) throw error("at most " + MAX_DEPTH + " levels of nested structs");
                pos++;
                Schema nested = parseFields('}');
                depth--;
                return nested;
            }
            int start = pos;
            String name = identifier("a type");
            Schema base;
            if (name.equals("char")) {
                if (pos >= text.length() || text.charAt(pos) != '[') {
                    pos = start;
                    throw error("char[N]");
                }
                return chars(count());
            }
            base = null;
            for (Kind k : Kind.values()) {
                if (k.isScalar() && k.text.equals(name)) base = scalar(k);
            }
            if (base == null) {
                pos = start;
                throw error("a type (i8, i16, i32, i64, u8, u16, u32, u64, f32, f64, bool, char[N] or {...})");
            }
            if (pos < text.length() && text.charAt(pos) == '[') return array(base, count());
            return base;
        }

        private int count() {
            expect('[');
            int start = pos;
            while (pos < text.length() && Character.isDigit(text.charAt(pos))) pos++;
            if (start == pos) throw error("a number");
            int n;
            try {
                n = Integer.parseInt(text.substring(start, pos));
            } catch (NumberFormatException e) {
                pos = start;
                throw error("a smaller number");
            }
            if (n < 1) {
                pos = start;
                throw error("a length of at least 1");
            }
            expect(']');
            return n;
        }

        private String identifier(String what) {
            int start = pos;
            while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
                pos++;
            }
            if (start == pos) throw error(what);
            return text.substring(start, pos);
        }

        private void expect(char c) {
            if (pos >= text.length() || text.charAt(pos) != c) throw error("'" + c + "'");
            pos++;
        }

        private void skipSpaces() {
            while (pos < text.length() && text.charAt(pos) == ' ') pos++;
        }

        private IllegalArgumentException error(String expected) {
            String found = pos < text.length() ? "'" + text.charAt(pos) + "'" : "the end";
            return new IllegalArgumentException(
                    "schema '" + shown() + "': expected " + expected + " at position " + (pos + 1) + ", found " + found);
        }

        /** The text as messages quote it: a long one cut short, so that the message stays a line. */
        private String shown() {
            return text.length() <= 200 ? text : text.substring(0, 100) + "..." + text.substring(text.length() - 20);
        }
    }
}
