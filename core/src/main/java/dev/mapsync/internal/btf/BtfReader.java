package dev.mapsync.internal.btf;

import dev.mapsync.internal.sys.Bpf;
import dev.mapsync.Schema;
import dev.mapsync.internal.sys.LibC;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a BTF blob (see {@link Btf} for the encoding) far enough to turn a map's value type back into a
 * {@link Schema}, so that a map made by bpftool, libbpf or a BPF object file can be opened with its own field
 * names and types.
 *
 * <p>A type maps onto a schema when it is what a schema can say: integers of 8 to 64 bits, {@code _Bool},
 * {@code float} and {@code double}, enums (as integers of their size), arrays of those (an array of
 * {@code char} is a {@code char[N]} string), and structs of named members laid out by C's natural alignment,
 * nested to any depth; typedefs and qualifiers are looked through. Anything else (unions, pointers, bitfields,
 * packed structs, arrays of structs) is refused with an {@link IllegalArgumentException} that says which member
 * is the reason.
 */
public final class BtfReader {
    /** One type: where its 12-byte {@code btf_type} starts in the blob. */
    private record Type(int kind, int nameOffset, int info, int sizeOrType, int at) {}

    private static final int MAX_DEPTH = 64;

    private final ByteBuffer blob;
    private final List<Type> types;
    private final int stringsAt;
    private final int stringsLength;

    private BtfReader(ByteBuffer blob, List<Type> types, int stringsAt, int stringsLength) {
        this.blob = blob;
        this.types = types;
        this.stringsAt = stringsAt;
        this.stringsLength = stringsLength;
    }

    /**
     * Parses a blob.
     *
     * @throws IllegalArgumentException if it is not BTF this reader understands
     */
    public static BtfReader parse(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < Btf.HEADER_LENGTH || Short.toUnsignedInt(b.getShort(0)) != Btf.MAGIC) {
            throw new IllegalArgumentException("not BTF: no 0xEB9F magic");
        }
        if (b.get(2) != Btf.VERSION) throw new IllegalArgumentException("BTF version " + b.get(2) + " is not 1");
        int headerLength = b.getInt(4);
        int typeOff = b.getInt(8), typeLen = b.getInt(12), strOff = b.getInt(16), strLen = b.getInt(20);
        long typesAt = (long) headerLength + typeOff, stringsAt = (long) headerLength + strOff;
        if (headerLength < Btf.HEADER_LENGTH || typeOff < 0 || typeLen < 0 || strOff < 0 || strLen < 0
                || typesAt + typeLen > bytes.length || stringsAt + strLen > bytes.length) {
            throw new IllegalArgumentException("malformed BTF: its sections run past its " + bytes.length + " bytes");
        }
        List<Type> types = new ArrayList<>();
        long at = typesAt, end = typesAt + typeLen;
        while (at < end) {
            if (at + Btf.TYPE_LENGTH > end) throw new IllegalArgumentException("malformed BTF: a type runs past its section");
            int info = b.getInt((int) at + 4);
            int kind = Btf.kind(info);
            types.add(new Type(kind, b.getInt((int) at), info, b.getInt((int) at + 8), (int) at));
            at += Btf.TYPE_LENGTH + extraLength(kind, Btf.vlen(info), types.size());
        }
        if (at != end) throw new IllegalArgumentException("malformed BTF: the last type runs past its section");
        return new BtfReader(b, types, (int) stringsAt, strLen);
    }

    /** The BTF of kernel object {@code btfId}, such as the BTF a map was created with (needs CAP_SYS_ADMIN). */
    public static BtfReader ofKernel(int btfId) {
        int fd = Bpf.btfFdById(btfId);
        try {
            return parse(Bpf.btfData(fd));
        } finally {
            LibC.close(fd);
        }
    }

    private static int extraLength(int kind, int vlen, int id) {
        return switch (kind) {
            case Btf.KIND_INT, Btf.KIND_VAR, Btf.KIND_DECL_TAG -> 4;
            case Btf.KIND_ARRAY -> 12;
            case Btf.KIND_STRUCT, Btf.KIND_UNION, Btf.KIND_DATASEC, Btf.KIND_ENUM64 -> 12 * vlen;
            case Btf.KIND_ENUM, Btf.KIND_FUNC_PROTO -> 8 * vlen;
            case Btf.KIND_PTR, Btf.KIND_FWD, Btf.KIND_TYPEDEF, Btf.KIND_VOLATILE, Btf.KIND_CONST,
                 Btf.KIND_RESTRICT, Btf.KIND_FUNC, Btf.KIND_FLOAT, Btf.KIND_TYPE_TAG -> 0;
            default -> throw new IllegalArgumentException("BTF type " + id + " has kind " + kind
                    + ", which this reader does not know");
        };
    }

    /** The number of types (ids 1 to this). */
    public int typeCount() {
        return types.size();
    }

    /**
     * The schema of type {@code id}.
     *
     * @throws IllegalArgumentException saying why the type has no schema
     */
    public Schema schema(int id) {
        return schema(id, describe(id), 0);
    }

    /**
     * The byte offset of the {@code struct bpf_spin_lock} member of the struct {@code id} (typedefs looked
     * through), or -1 when it has none (or is not a struct).
     */
    public int spinLockOffset(int id) {
        Type t;
        try {
            t = resolve(id, describe(id));
        } catch (IllegalArgumentException e) {
            return -1;
        }
        if (t.kind() != Btf.KIND_STRUCT) return -1;
        for (int i = 0; i < Btf.vlen(t.info()); i++) {
            int at = t.at() + Btf.TYPE_LENGTH + 12 * i;
            int offset = blob.getInt(at + 8);
            if (Btf.kindFlag(t.info())) offset &= 0xffffff;
            try {
                Type member = resolve(blob.getInt(at + 4), "");
                if (member.kind() == Btf.KIND_STRUCT && name(member).equals("bpf_spin_lock")) return offset / 8;
            } catch (IllegalArgumentException e) {
                // not a lock
            }
        }
        return -1;
    }

    /**
     * The schema of what a value struct holds behind its {@code struct bpf_spin_lock}: the struct must start with the
     * lock, and the rest must sit where {@code struct { struct bpf_spin_lock lock; V value; }} puts a V. With one
     * member after the lock, V is that member's type; with several, V is the struct of them.
     *
     * @throws IllegalArgumentException saying why the value has no such layout
     */
    public Schema schemaBehindSpinLock(int id) {
        String where = describe(id);
        Type t = resolve(id, where);
        if (t.kind() != Btf.KIND_STRUCT || spinLockOffset(id) != 0) {
            throw refuse(where, "does not start with a struct bpf_spin_lock");
        }
        int vlen = Btf.vlen(t.info());
        if (vlen < 2) throw refuse(where, "holds nothing but its bpf_spin_lock");
        List<Schema.Field> fields = new ArrayList<>();
        int[] offsets = new int[vlen - 1];
        for (int i = 1; i < vlen; i++) {
            int at = t.at() + Btf.TYPE_LENGTH + 12 * i;
            String member = string(blob.getInt(at));
            int offset = blob.getInt(at + 8);
            if (Btf.kindFlag(t.info())) {
                if ((offset >>> 24) != 0) throw refuse(where + "." + member, "is a bitfield");
                offset &= 0xffffff;
            }
            if (member.isEmpty()) throw refuse(where, "has an anonymous member");
            fields.add(Schema.field(member, schema(blob.getInt(at + 4), where + "." + member, 1)));
            offsets[i - 1] = offset / 8;
        }
        Schema value = fields.size() == 1 ? fields.getFirst().type() : Schema.struct(fields);
        int base = BtfWriter.lockedValueOffset(value);
        for (int i = 0; i < offsets.length; i++) {
            int natural = fields.size() == 1 ? 0 : value.fields().get(i).offset();
            if (offsets[i] != base + natural) {
                throw refuse(where + "." + fields.get(i).name(), "is at byte " + offsets[i] + ", where a value behind"
                        + " the lock would put it at byte " + (base + natural));
            }
        }
        if (t.sizeOrType() != BtfWriter.lockedValueSize(value)) {
            throw refuse(where, "is " + t.sizeOrType() + " bytes, not the " + BtfWriter.lockedValueSize(value)
                    + " of a bpf_spin_lock followed by " + value);
        }
        return value;
    }

    /** A short description of type {@code id} for messages, such as {@code struct account} or {@code int}. */
    public String describe(int id) {
        if (id == 0) return "void";
        if (id < 0 || id > types.size()) return "type " + id;
        Type t = types.get(id - 1);
        String name = name(t);
        return switch (t.kind()) {
            case Btf.KIND_STRUCT -> name.isEmpty() ? "anonymous struct" : "struct " + name;
            case Btf.KIND_UNION -> name.isEmpty() ? "anonymous union" : "union " + name;
            case Btf.KIND_ENUM, Btf.KIND_ENUM64 -> "enum " + name;
            case Btf.KIND_ARRAY -> describe(u32(t, 0)) + "[" + u32(t, 8) + "]";
            case Btf.KIND_PTR -> describe(t.sizeOrType()) + " *";
            default -> name.isEmpty() ? kindName(t.kind()) : name;
        };
    }

    private Schema schema(int id, String where, int depth) {
        if (depth > MAX_DEPTH) throw new IllegalArgumentException(where + " nests deeper than " + MAX_DEPTH + " types");
        Type t = resolve(id, where);
        return switch (t.kind()) {
            case Btf.KIND_INT -> integer(t, where);
            case Btf.KIND_FLOAT -> switch (t.sizeOrType()) {
                case 4 -> Schema.scalar(Schema.Kind.F32);
                case 8 -> Schema.scalar(Schema.Kind.F64);
                default -> throw refuse(where, "is a " + t.sizeOrType() + "-byte float; schemas have f32 and f64");
            };
            case Btf.KIND_ENUM, Btf.KIND_ENUM64 -> sized(t.sizeOrType(), Btf.kindFlag(t.info()), where);
            case Btf.KIND_ARRAY -> array(t, where, depth);
            case Btf.KIND_STRUCT -> struct(t, where, depth);
            case Btf.KIND_UNION -> throw refuse(where, "is a union; schemas have no unions");
            case Btf.KIND_PTR -> throw refuse(where, "is a pointer, which means nothing in another process");
            case Btf.KIND_FWD -> throw refuse(where, "is a declared but undefined struct");
            default -> throw refuse(where, "is a BTF " + kindName(t.kind()));
        };
    }

    /** Looks through typedefs and qualifiers. */
    private Type resolve(int id, String where) {
        for (int hops = 0; hops < MAX_DEPTH; hops++) {
            if (id == 0) throw refuse(where, "is void");
            if (id < 0 || id > types.size()) {
                throw refuse(where, "refers to type " + id + ", which is not in this BTF (split BTF is not read)");
            }
            Type t = types.get(id - 1);
            switch (t.kind()) {
                case Btf.KIND_TYPEDEF, Btf.KIND_VOLATILE, Btf.KIND_CONST, Btf.KIND_RESTRICT, Btf.KIND_TYPE_TAG ->
                        id = t.sizeOrType();
                default -> {
                    return t;
                }
            }
        }
        throw refuse(where, "is a chain of more than " + MAX_DEPTH + " typedefs");
    }

    private Schema integer(Type t, String where) {
        int encoding = u32(t, 0);
        int bits = encoding & 0xff, bitOffset = (encoding >>> 16) & 0xff, flags = encoding >>> 24;
        int size = t.sizeOrType();
        if (bitOffset != 0 || bits != size * 8) {
            throw refuse(where, "is a " + bits + "-bit integer in " + size + " bytes; schemas have whole-byte integers only");
        }
        if ((flags & Btf.INT_BOOL) != 0) {
            if (size != 1) throw refuse(where, "is a " + size + "-byte bool; schemas have 1-byte bools");
            return Schema.scalar(Schema.Kind.BOOL);
        }
        return sized(size, (flags & (Btf.INT_SIGNED | Btf.INT_CHAR)) != 0, where);
    }

    private Schema sized(int size, boolean signed, String where) {
        Schema.Kind kind = switch (size) {
            case 1 -> signed ? Schema.Kind.I8 : Schema.Kind.U8;
            case 2 -> signed ? Schema.Kind.I16 : Schema.Kind.U16;
            case 4 -> signed ? Schema.Kind.I32 : Schema.Kind.U32;
            case 8 -> signed ? Schema.Kind.I64 : Schema.Kind.U64;
            default -> throw refuse(where, "is a " + size + "-byte integer; schemas have 1, 2, 4 and 8 bytes");
        };
        return Schema.scalar(kind);
    }

    private Schema array(Type t, String where, int depth) {
        int elementId = u32(t, 0), length = u32(t, 8);
        if (length < 1) throw refuse(where, "is an array of length 0");
        Type element = resolve(elementId, where + "[]");
        if (element.kind() == Btf.KIND_INT && element.sizeOrType() == 1
                && ((u32(element, 0) >>> 24 & Btf.INT_CHAR) != 0 || name(element).equals("char"))) {
            return Schema.chars(length);
        }
        boolean scalar = switch (element.kind()) {
            case Btf.KIND_INT, Btf.KIND_FLOAT, Btf.KIND_ENUM, Btf.KIND_ENUM64 -> true;
            default -> false;
        };
        if (!scalar) throw refuse(where, "is an array of " + describe(elementId) + "; schema arrays hold scalars only");
        return Schema.array(schema(elementId, where + "[]", depth + 1), length);
    }

    private Schema struct(Type t, String where, int depth) {
        int vlen = Btf.vlen(t.info());
        boolean kindFlag = Btf.kindFlag(t.info());
        if (vlen == 0) throw refuse(where, "is an empty struct");
        List<Schema.Field> fields = new ArrayList<>(vlen);
        int[] byteOffsets = new int[vlen];
        for (int i = 0; i < vlen; i++) {
            int at = t.at() + Btf.TYPE_LENGTH + 12 * i;
            String name = string(blob.getInt(at));
            int type = blob.getInt(at + 4), offset = blob.getInt(at + 8);
            String member = where + "." + (name.isEmpty() ? "<anonymous " + (i + 1) + ">" : name);
            int bitfieldSize = kindFlag ? offset >>> 24 : 0;
            int bitOffset = kindFlag ? offset & 0xffffff : offset;
            if (bitfieldSize != 0) throw refuse(member, "is a " + bitfieldSize + "-bit bitfield");
            if (bitOffset % 8 != 0) throw refuse(member, "starts at bit " + bitOffset + ", not on a byte");
            if (name.isEmpty()) throw refuse(member, "has no name (an anonymous struct or union member)");
            fields.add(Schema.field(name, schema(type, member, depth + 1)));
            byteOffsets[i] = bitOffset / 8;
        }
        Schema s;
        try {
            s = Schema.struct(fields);
        } catch (IllegalArgumentException e) {
            throw refuse(where, "has members a schema cannot hold: " + e.getMessage());
        }
        for (int i = 0; i < vlen; i++) {
            Schema.Field f = s.fields().get(i);
            if (f.offset() != byteOffsets[i]) {
                throw refuse(where + "." + f.name(), "is at byte " + byteOffsets[i] + ", where C's natural alignment"
                        + " puts it at byte " + f.offset() + " (a packed or hand-placed struct)");
            }
        }
        if (s.size() != t.sizeOrType()) {
            throw refuse(where, "is " + t.sizeOrType() + " bytes, where C's natural alignment makes its members "
                    + s.size() + " bytes (trailing padding or a packed struct)");
        }
        return s;
    }

    private int u32(Type t, int offset) {
        return blob.getInt(t.at() + Btf.TYPE_LENGTH + offset);
    }

    private String name(Type t) {
        return string(t.nameOffset());
    }

    private String string(int offset) {
        if (offset <= 0 || offset >= stringsLength) return "";
        int start = stringsAt + offset, end = start;
        while (end < stringsAt + stringsLength && blob.get(end) != 0) end++;
        byte[] bytes = new byte[end - start];
        blob.get(start, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static String kindName(int kind) {
        return switch (kind) {
            case Btf.KIND_INT -> "int";
            case Btf.KIND_PTR -> "pointer";
            case Btf.KIND_ARRAY -> "array";
            case Btf.KIND_STRUCT -> "struct";
            case Btf.KIND_UNION -> "union";
            case Btf.KIND_ENUM, Btf.KIND_ENUM64 -> "enum";
            case Btf.KIND_FWD -> "forward declaration";
            case Btf.KIND_TYPEDEF -> "typedef";
            case Btf.KIND_FUNC -> "function";
            case Btf.KIND_FUNC_PROTO -> "function prototype";
            case Btf.KIND_VAR -> "variable";
            case Btf.KIND_DATASEC -> "data section";
            case Btf.KIND_FLOAT -> "float";
            default -> "kind " + kind;
        };
    }

    private static IllegalArgumentException refuse(String where, String why) {
        return new IllegalArgumentException(where + " " + why);
    }
}
