package dev.mapsync.internal.btf;

import dev.mapsync.Schema;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the BTF of a map: a key (the u32 index of an array, or a hash map's key schema) and a value described by a
 * {@link Schema}, so that {@code bpftool map dump} prints keys and values field by field and BPF programs (and
 * {@link BtfReader}) know the layout. A hash map's value may be wrapped behind a {@code struct bpf_spin_lock}.
 *
 * <p>Each schema kind becomes the type clang would emit for the matching C declaration: integers are INTs named
 * as in C ({@code long long}, {@code unsigned char}, ...), {@code bool} is {@code _Bool}, {@code f32} and
 * {@code f64} are FLOATs, {@code char[N]} is an ARRAY of {@code char} (which bpftool prints as a string), an
 * array is an ARRAY of its scalar, a struct is a STRUCT whose members carry the field names and offsets. The
 * value struct is named after the map; nested structs are anonymous. Every type is written after the types it
 * refers to, and scalars and arrays are written once however often they are used.
 */
public final class BtfWriter {
    /** A BTF blob and the ids of the key and value types in it. */
    public record Blob(byte[] bytes, int keyTypeId, int valueTypeId) {}

    private final ByteArrayOutputStream types = new ByteArrayOutputStream();
    private final ByteArrayOutputStream strings = new ByteArrayOutputStream();
    private final Map<String, Integer> stringOffsets = new HashMap<>();
    private final Map<String, Integer> sharedTypes = new HashMap<>();
    private int nextId = 1;

    private BtfWriter() {
        strings.write(0); // offset 0 is the empty name
    }

    /**
     * The BTF of an array map whose values are {@code value}.
     *
     * @param typeName the name of the value struct, made a C identifier (such as the map's name)
     */
    public static Blob forArray(String typeName, Schema value) {
        BtfWriter w = new BtfWriter();
        int key = w.scalar(Schema.Kind.U32);
        int val = w.type(value, cIdentifier(typeName));
        return new Blob(w.finish(), key, val);
    }

    /**
     * The BTF of a hash map: a key type (a struct is named {@code <name>_key}) and a value type. With
     * {@code spinLock}, the value type is {@code struct <name> { struct bpf_spin_lock lock; V value; }}, the value
     * at {@link #lockedValueOffset} (the kernel finds the lock by its struct's name and size); without it, it is
     * {@code V}, a struct named {@code <name>}.
     */
    public static Blob forHash(String typeName, Schema key, Schema value, boolean spinLock) {
        BtfWriter w = new BtfWriter();
        String name = cIdentifier(typeName);
        int k = w.type(key, name + "_key");
        if (!spinLock) {
            int v = w.type(value, name);
            return new Blob(w.finish(), k, v);
        }
        int inner = w.type(value, name + "_value");
        int u32 = w.scalar(Schema.Kind.U32);
        w.header("bpf_spin_lock", Btf.KIND_STRUCT, 1, 4);
        w.u32(w.string("val"));
        w.u32(u32);
        w.u32(0);
        int lock = w.nextId++;
        w.header(name, Btf.KIND_STRUCT, 2, lockedValueSize(value));
        w.u32(w.string("lock"));
        w.u32(lock);
        w.u32(0);
        w.u32(w.string("value"));
        w.u32(inner);
        w.u32(lockedValueOffset(value) * 8);
        int v = w.nextId++;
        return new Blob(w.finish(), k, v);
    }

    /** Where a value sits behind a 4-byte {@code struct bpf_spin_lock}: the lock's end, aligned for the value. */
    public static int lockedValueOffset(Schema value) {
        int a = Math.max(1, value.alignment());
        return (4 + a - 1) / a * a;
    }

    /** {@code sizeof(struct { struct bpf_spin_lock lock; V value; })}. */
    public static int lockedValueSize(Schema value) {
        int a = Math.max(4, value.alignment());
        int end = lockedValueOffset(value) + value.size();
        return (end + a - 1) / a * a;
    }

    /** {@code name} with every character outside {@code A-Z a-z 0-9 _} made {@code _}, and not starting with a digit. */
    static String cIdentifier(String name) {
        StringBuilder b = new StringBuilder(name.length() + 1);
        for (char c : name.toCharArray()) b.append(c < 128 && (Character.isLetterOrDigit(c) || c == '_') ? c : '_');
        if (b.isEmpty() || Character.isDigit(b.charAt(0))) b.insert(0, '_');
        return b.toString();
    }

    private int type(Schema s, String structName) {
        return switch (s.kind()) {
            case CHARS -> shared("char[" + s.length() + "]", () -> array(charType(), s.length()));
            case ARRAY -> {
                Schema element = s.element().orElseThrow();
                yield shared(s.toString(), () -> array(scalar(element.kind()), s.length()));
            }
            case STRUCT -> struct(s, structName);
            default -> scalar(s.kind());
        };
    }

    private int scalar(Schema.Kind kind) {
        return shared(kind.toString(), () -> switch (kind) {
            case I8 -> integer("signed char", 1, Btf.INT_SIGNED);
            case U8 -> integer("unsigned char", 1, 0);
            case I16 -> integer("short", 2, Btf.INT_SIGNED);
            case U16 -> integer("unsigned short", 2, 0);
            case I32 -> integer("int", 4, Btf.INT_SIGNED);
            case U32 -> integer("unsigned int", 4, 0);
            case I64 -> integer("long long", 8, Btf.INT_SIGNED);
            case U64 -> integer("unsigned long long", 8, 0);
            case BOOL -> integer("_Bool", 1, Btf.INT_BOOL);
            case F32 -> floating("float", 4);
            case F64 -> floating("double", 8);
            default -> throw new IllegalArgumentException(kind + " is not a scalar");
        });
    }

    /** The element of {@code char[N]}: signed, as clang emits {@code char} on x86. */
    private int charType() {
        return shared("char", () -> integer("char", 1, Btf.INT_SIGNED));
    }

    private int shared(String key, java.util.function.IntSupplier make) {
        Integer id = sharedTypes.get(key);
        if (id != null) return id;
        int made = make.getAsInt();
        sharedTypes.put(key, made);
        return made;
    }

    private int integer(String name, int size, int encoding) {
        header(name, Btf.KIND_INT, 0, size);
        u32(encoding << 24 | size * 8);
        return nextId++;
    }

    private int floating(String name, int size) {
        header(name, Btf.KIND_FLOAT, 0, size);
        return nextId++;
    }

    private int array(int elementId, int length) {
        int index = scalar(Schema.Kind.U32);
        header("", Btf.KIND_ARRAY, 0, 0);
        u32(elementId);
        u32(index);
        u32(length);
        return nextId++;
    }

    private int struct(Schema s, String name) {
        List<Integer> memberTypes = new ArrayList<>();
        for (Schema.Field f : s.fields()) memberTypes.add(type(f.type(), ""));
        header(name, Btf.KIND_STRUCT, s.fields().size(), s.size());
        for (int i = 0; i < s.fields().size(); i++) {
            Schema.Field f = s.fields().get(i);
            u32(string(f.name()));
            u32(memberTypes.get(i));
            u32(f.offset() * 8);
        }
        return nextId++;
    }

    private void header(String name, int kind, int vlen, int sizeOrType) {
        u32(name.isEmpty() ? 0 : string(name));
        u32(Btf.info(kind, vlen, false));
        u32(sizeOrType);
    }

    private int string(String s) {
        return stringOffsets.computeIfAbsent(s, k -> {
            int offset = strings.size();
            strings.writeBytes(k.getBytes(StandardCharsets.US_ASCII));
            strings.write(0);
            return offset;
        });
    }

    private void u32(int v) {
        types.write(v);
        types.write(v >>> 8);
        types.write(v >>> 16);
        types.write(v >>> 24);
    }

    private byte[] finish() {
        byte[] t = types.toByteArray();
        byte[] s = strings.toByteArray();
        ByteBuffer b = ByteBuffer.allocate(Btf.HEADER_LENGTH + t.length + s.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) Btf.MAGIC).put((byte) Btf.VERSION).put((byte) 0).putInt(Btf.HEADER_LENGTH)
                .putInt(0).putInt(t.length).putInt(t.length).putInt(s.length);
        b.put(t).put(s);
        return b.array();
    }
}
