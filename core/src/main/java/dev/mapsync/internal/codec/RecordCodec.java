package dev.mapsync.internal.codec;

import dev.mapsync.internal.sys.Layouts;
import dev.mapsync.Chars;
import dev.mapsync.Codec;
import dev.mapsync.InvalidValueException;
import dev.mapsync.Schema;
import dev.mapsync.Size;
import dev.mapsync.Unsigned;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Java record laid out as the C struct of its components. Each component becomes one field with the
 * component's name; see {@link Codec#record} for the types allowed.
 */
public final class RecordCodec<R extends Record> implements Codec<R> {
    private static final Map<Class<?>, RecordCodec<?>> CACHE = new ConcurrentHashMap<>();

    private final Class<R> type;
    private final Schema schema;
    private final Component[] components;
    private final MethodHandle constructor; // (Object[]) Object
    /** The compiled form for a record of primitives only, else null. */
    private final FlatRecordAccess compiled;

    /** One record component: how to get it from a record and where its bytes are. */
    private record Component(String name, MethodHandle accessor, Class<?> javaType, Schema schema, int offset,
                             RecordCodec<?> nested) {}

    /** The records whose codec this thread is building, to refuse a record that contains itself. */
    private static final ThreadLocal<java.util.Set<Class<?>>> BUILDING = ThreadLocal.withInitial(java.util.HashSet::new);

    @SuppressWarnings("unchecked")
    public static <R extends Record> RecordCodec<R> of(Class<R> type) {
        RecordCodec<?> cached = CACHE.get(type);
        if (cached != null) return (RecordCodec<R>) cached;
        if (!BUILDING.get().add(type)) {
            throw new IllegalArgumentException(type.getSimpleName() + " contains itself, so it has no fixed size");
        }
        try {
            CACHE.putIfAbsent(type, new RecordCodec<>(type));
        } finally {
            BUILDING.get().remove(type);
        }
        return (RecordCodec<R>) CACHE.get(type);
    }

    private RecordCodec(Class<R> type) {
        if (!type.isRecord()) throw new IllegalArgumentException(type.getName() + " is not a record");
        MethodHandles.Lookup privateLookup = privateLookup(type);
        this.type = type;
        RecordComponent[] rcs = type.getRecordComponents();
        if (rcs.length == 0) throw new IllegalArgumentException(type.getSimpleName() + " has no components");
        List<Schema.Field> fields = new ArrayList<>();
        List<RecordCodec<?>> nested = new ArrayList<>();
        Class<?>[] ctorTypes = new Class<?>[rcs.length];
        for (int i = 0; i < rcs.length; i++) {
            RecordComponent rc = rcs[i];
            RecordCodec<?> inner = rc.getType().isRecord() ? of(rc.getType().asSubclass(Record.class)) : null;
            nested.add(inner);
            fields.add(Schema.field(rc.getName(), inner != null ? inner.schema : schemaOf(type, rc)));
            ctorTypes[i] = rc.getType();
        }
        this.schema = Schema.struct(fields);
        this.components = new Component[rcs.length];
        try {
            for (int i = 0; i < rcs.length; i++) {
                MethodHandle accessor = privateLookup.unreflect(rcs[i].getAccessor())
                        .asType(MethodType.methodType(Object.class, Object.class));
                Schema.Field f = schema.fields().get(i);
                components[i] = new Component(rcs[i].getName(), accessor, rcs[i].getType(), f.type(), f.offset(),
                        nested.get(i));
            }
            this.constructor = privateLookup.findConstructor(type, MethodType.methodType(void.class, ctorTypes))
                    .asSpreader(Object[].class, rcs.length)
                    .asType(MethodType.methodType(Object.class, Object[].class));
            int[] offsets = schema.fields().stream().mapToInt(Schema.Field::offset).toArray();
            this.compiled = FlatRecordAccessGenerator.generate(privateLookup, type, offsets, schema.size()).orElse(null);
        } catch (ReflectiveOperationException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot use record " + type.getName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * A lookup with private access to {@code type}, which {@link MethodHandles#privateLookupIn} grants only when the
     * record's package is open to this library's module. That is always so on the class path; a record in a named
     * module needs an {@code opens} line in its module-info.java, which the exception gives.
     *
     * @throws IllegalArgumentException if the record's module does not open its package to this library
     */
    private static MethodHandles.Lookup privateLookup(Class<?> type) {
        Module library = RecordCodec.class.getModule();
        Module module = type.getModule();
        String pkg = type.getPackageName();
        if (!module.isOpen(pkg, library)) {
            String to = library.isNamed() ? " to " + library.getName() : "";
            throw new IllegalArgumentException("cannot use record " + type.getName() + ": module " + module.getName()
                    + " does not open " + pkg + to + "; add to its module-info.java: opens " + pkg + to + ";");
        }
        library.addReads(module); // a named module reads only what it requires, and privateLookupIn needs it to
        try {
            return MethodHandles.privateLookupIn(type, MethodHandles.lookup());
        } catch (IllegalAccessException e) {
            throw new IllegalArgumentException("cannot use record " + type.getName() + ": " + e.getMessage(), e);
        }
    }

    private static Schema schemaOf(Class<?> owner, RecordComponent rc) {
        Class<?> t = rc.getType();
        boolean unsigned = rc.isAnnotationPresent(Unsigned.class);
        String where = owner.getSimpleName() + "." + rc.getName();
        if (t == String.class) {
            Chars chars = rc.getAnnotation(Chars.class);
            if (chars == null) throw new IllegalArgumentException(where + ": a String component needs @Chars(n)");
            return Schema.chars(chars.value());
        }
        if (t.isArray()) {
            Schema.Kind element = scalarKind(t.getComponentType(), unsigned || t == byte[].class, where);
            Size size = rc.getAnnotation(Size.class);
            if (size == null) throw new IllegalArgumentException(where + ": an array component needs @Size(n)");
            return Schema.array(Schema.scalar(element), size.value());
        }
        return Schema.scalar(scalarKind(t, unsigned, where));
    }

    private static Schema.Kind scalarKind(Class<?> t, boolean unsigned, String where) {
        if (t == byte.class) return unsigned ? Schema.Kind.U8 : Schema.Kind.I8;
        if (t == short.class) return unsigned ? Schema.Kind.U16 : Schema.Kind.I16;
        if (t == int.class) return unsigned ? Schema.Kind.U32 : Schema.Kind.I32;
        if (t == long.class) return unsigned ? Schema.Kind.U64 : Schema.Kind.I64;
        if (unsigned) throw new IllegalArgumentException(where + ": @Unsigned applies to integer types only");
        if (t == float.class) return Schema.Kind.F32;
        if (t == double.class) return Schema.Kind.F64;
        if (t == boolean.class) return Schema.Kind.BOOL;
        throw new IllegalArgumentException(where + ": type " + t.getSimpleName() + " has no C layout"
                + " (use byte, short, int, long, float, double, boolean, String with @Chars, arrays with @Size, or a record)");
    }

    @Override
    public Schema schema() {
        return schema;
    }

    /**
     * The compiled form of this codec, or null when it works through method handles. A compiled write refuses nothing
     * but null and stores nothing until every accessor has returned, so it may write in place, without encoding first.
     */
    public FlatRecordAccess compiled() {
        return compiled;
    }

    @Override
    @SuppressWarnings("unchecked")
    public R read(MemorySegment segment, long offset) {
        if (compiled != null) return (R) compiled.read(segment, offset);
        Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            Component c = components[i];
            long o = offset + c.offset;
            args[i] = c.nested != null ? c.nested.read(segment, o) : readComponent(c, segment, o);
        }
        try {
            return type.cast(constructor.invokeExact(args));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new InvalidValueException(type.getSimpleName() + " rejected the stored value: " + t, t);
        }
    }

    private static Object readComponent(Component c, MemorySegment s, long o) {
        Class<?> t = c.javaType;
        if (t == long.class) return s.get(Layouts.LONG, o);
        if (t == int.class) return s.get(Layouts.INT, o);
        if (t == short.class) return s.get(Layouts.SHORT, o);
        if (t == byte.class) return s.get(Layouts.BYTE, o);
        if (t == double.class) return s.get(Layouts.DOUBLE, o);
        if (t == float.class) return s.get(Layouts.FLOAT, o);
        if (t == boolean.class) return s.get(Layouts.BYTE, o) != 0;
        if (t == String.class) return new FixedStringCodec(c.schema.length()).read(s, o);
        return DynamicCodec.readValue(c.schema, s, o); // primitive arrays come back as the component's array type
    }

    @Override
    public void write(MemorySegment segment, long offset, R value) {
        if (compiled != null) {
            // every component is a primitive: no value can be refused once it is not null
            if (value == null) throw new InvalidValueException("the value is null");
            compiled.write(segment, offset, value);
            return;
        }
        MemorySegment scratch = MemorySegment.ofArray(new byte[schema.size()]);
        writeInto(scratch, 0, value, "");
        MemorySegment.copy(scratch, 0, segment, offset, schema.size());
    }

    private void writeInto(MemorySegment s, long offset, Object value, String path) {
        if (value == null) throw new InvalidValueException((path.isEmpty() ? "the value" : "field '" + path + "'") + " is null");
        for (Component c : components) {
            Object v;
            try {
                v = c.accessor.invokeExact(value);
            } catch (Throwable t) {
                throw new InvalidValueException("cannot read " + type.getSimpleName() + "." + c.name + ": " + t, t);
            }
            long o = offset + c.offset;
            String name = path + c.name;
            if (c.nested != null) {
                c.nested.writeInto(s, o, v, name + ".");
            } else {
                writeComponent(c, s, o, v, name);
            }
        }
    }

    private static void writeComponent(Component c, MemorySegment s, long o, Object v, String name) {
        Class<?> t = c.javaType;
        if (t == long.class) s.set(Layouts.LONG, o, (Long) v);
        else if (t == int.class) s.set(Layouts.INT, o, (Integer) v);
        else if (t == short.class) s.set(Layouts.SHORT, o, (Short) v);
        else if (t == byte.class) s.set(Layouts.BYTE, o, (Byte) v);
        else if (t == double.class) s.set(Layouts.DOUBLE, o, (Double) v);
        else if (t == float.class) s.set(Layouts.FLOAT, o, (Float) v);
        else if (t == boolean.class) s.set(Layouts.BYTE, o, (byte) ((Boolean) v ? 1 : 0));
        else if (v == null) throw new InvalidValueException("field '" + name + "' is null");
        else if (t == String.class) {
            try {
                new FixedStringCodec(c.schema.length()).write(s, o, (String) v);
            } catch (InvalidValueException e) {
                throw new InvalidValueException("field '" + name + "': " + e.getMessage());
            }
        } else {
            int n = java.lang.reflect.Array.getLength(v);
            if (n != c.schema.length()) {
                throw new InvalidValueException("field '" + name + "': " + c.schema + " needs " + c.schema.length()
                        + " elements, got " + n);
            }
            MemorySegment source = switch (v) {
                case byte[] a -> MemorySegment.ofArray(a);
                case short[] a -> MemorySegment.ofArray(a);
                case int[] a -> MemorySegment.ofArray(a);
                case long[] a -> MemorySegment.ofArray(a);
                case float[] a -> MemorySegment.ofArray(a);
                case double[] a -> MemorySegment.ofArray(a);
                case boolean[] a -> {
                    byte[] b = new byte[a.length];
                    for (int i = 0; i < a.length; i++) b[i] = (byte) (a[i] ? 1 : 0);
                    yield MemorySegment.ofArray(b);
                }
                default -> throw new InvalidValueException("field '" + name + "': unsupported array " + v.getClass());
            };
            copyLittleEndian(source, s, o, c.schema.element().orElseThrow().size(), n);
        }
    }

    /** Copies array elements into the little-endian format whatever the machine's byte order. */
    private static void copyLittleEndian(MemorySegment source, MemorySegment target, long offset, int elementSize, int n) {
        switch (elementSize) {
            case 1 -> MemorySegment.copy(source, 0, target, offset, n);
            case 2 -> MemorySegment.copy(source, ValueLayout.JAVA_SHORT_UNALIGNED, 0, target, Layouts.SHORT, offset, n);
            case 4 -> MemorySegment.copy(source, ValueLayout.JAVA_INT_UNALIGNED, 0, target, Layouts.INT, offset, n);
            default -> MemorySegment.copy(source, ValueLayout.JAVA_LONG_UNALIGNED, 0, target, Layouts.LONG, offset, n);
        }
    }

    @Override
    public String toString() {
        return type.getSimpleName() + "{" + schema + "}";
    }
}
