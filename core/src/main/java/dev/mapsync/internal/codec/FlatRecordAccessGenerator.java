package dev.mapsync.internal.codec;

import java.lang.classfile.ClassFile;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Opcode;
import java.lang.classfile.TypeKind;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static java.lang.constant.ConstantDescs.CD_Object;
import static java.lang.constant.ConstantDescs.CD_long;
import static java.lang.constant.ConstantDescs.CD_void;

/**
 * Compiles the codec of a record whose components are all primitives into a hidden class, a nestmate of the record,
 * that calls its canonical constructor and accessors directly: no boxing, no argument array, and code the JIT
 * inlines into its caller. For {@code record Trade(long id, double price, int qty)} the class is the equivalent of
 * <pre>{@code
 * Object read(MemorySegment s, long o) { return new Trade(s.get(L_long, o), s.get(L_double, o + 8), s.get(L_int, o + 16)); }
 * Object readIfUnchanged(MemorySegment s, long o, MemorySegment c, long so, int seq) {
 *     long id = s.get(L_long, o); double price = ...; int qty = ...;
 *     VarHandle.loadLoadFence();
 *     if (c.get(L_int, so) != seq) return null;
 *     return new Trade(id, price, qty);
 * }
 * void write(MemorySegment s, long o, Object v) { Trade t = (Trade) v; long id = t.id(); ...; s.set(L_long, o, id); ...;
 *                                               s.set(L_int, o + 20, 0); }
 * }</pre>
 * where {@code write} also stores zeros over the struct's padding (here the 4 bytes after {@code qty}): keys and
 * values are compared by their bytes, and the bytes written over may be anything, such as another map's value left
 * in a thread's scratch buffer. Each {@code L_} is a static final little-endian, unaligned layout made in the
 * class's initializer, so the class needs nothing outside {@code java.base} but {@link FlatRecordAccess}, which it
 * implements.
 *
 * <p>A nestmate needs a lookup with full privilege in the record's class, which this library has only for a record
 * of its own module: on the class path, where the library and the application share the unnamed module. A record of
 * another module (the library on the module path) gets the same class in this library's package instead, which calls
 * the record's public constructor and accessors: the record and its canonical constructor must then be public, and
 * the record's class loader the one that this library's loader finds it through. A record that has a component of
 * another type, or that is compiled neither way, gets no compiled form; {@link RecordCodec} then works through
 * method handles.
 */
final class FlatRecordAccessGenerator {
    private FlatRecordAccessGenerator() {}

    private static final ClassDesc CD_SEGMENT = desc(MemorySegment.class);
    private static final ClassDesc CD_VALUE_LAYOUT = ClassDesc.of("java.lang.foreign.ValueLayout");
    private static final ClassDesc CD_BYTE_ORDER = ClassDesc.of("java.nio.ByteOrder");
    private static final ClassDesc CD_VAR_HANDLE = ClassDesc.of("java.lang.invoke.VarHandle");
    private static final MethodTypeDesc READ = MethodTypeDesc.of(CD_Object, CD_SEGMENT, CD_long);
    private static final MethodTypeDesc WRITE = MethodTypeDesc.of(CD_void, CD_SEGMENT, CD_long, CD_Object);
    private static final MethodTypeDesc READ_IF_UNCHANGED = MethodTypeDesc.of(CD_Object, CD_SEGMENT, CD_long, CD_SEGMENT,
            CD_long, ConstantDescs.CD_int);

    /** How one primitive type is stored: the {@code ValueLayout} constant, before the byte order is set. */
    private enum Slot {
        BYTE(byte.class, "JAVA_BYTE", "OfByte", 1), BOOLEAN(boolean.class, "JAVA_BYTE", "OfByte", 1),
        SHORT(short.class, "JAVA_SHORT_UNALIGNED", "OfShort", 2), INT(int.class, "JAVA_INT_UNALIGNED", "OfInt", 4),
        LONG(long.class, "JAVA_LONG_UNALIGNED", "OfLong", 8), FLOAT(float.class, "JAVA_FLOAT_UNALIGNED", "OfFloat", 4),
        DOUBLE(double.class, "JAVA_DOUBLE_UNALIGNED", "OfDouble", 8);

        final Class<?> javaType;
        final String constant;
        final ClassDesc layout;
        final int width;

        Slot(Class<?> javaType, String constant, String layoutClass, int width) {
            this.javaType = javaType;
            this.constant = constant;
            this.layout = CD_VALUE_LAYOUT.nested(layoutClass);
            this.width = width;
        }

        /** The stored Java type: a boolean is a byte in memory. */
        ClassDesc stored() {
            return this == BOOLEAN ? ConstantDescs.CD_byte : desc(javaType);
        }

        String field() {
            return "L_" + constant;
        }

        static Optional<Slot> of(Class<?> type) {
            return Arrays.stream(values()).filter(s -> s.javaType == type).findFirst();
        }
    }

    /**
     * The compiled access of {@code type}, whose components start at {@code offsets} in a struct of {@code size}
     * bytes, or empty when it has a non-primitive component or can be compiled neither as a nestmate through
     * {@code lookup} nor in this package.
     */
    static Optional<FlatRecordAccess> generate(MethodHandles.Lookup lookup, Class<? extends Record> type, int[] offsets,
                                               int size) {
        RecordComponent[] components = type.getRecordComponents();
        Slot[] slots = new Slot[components.length];
        for (int i = 0; i < components.length; i++) {
            Optional<Slot> slot = Slot.of(components[i].getType());
            if (slot.isEmpty()) return Optional.empty();
            slots[i] = slot.get();
        }
        if (type.isHidden()) return Optional.empty();
        boolean nestmate = lookup.hasFullPrivilegeAccess();
        MethodHandles.Lookup host = nestmate ? lookup : MethodHandles.lookup();
        if (!nestmate && !publicHere(type, components)) return Optional.empty();
        byte[] bytes = classBytes(host.lookupClass().getPackageName(), type, components, slots, offsets,
                padding(slots, offsets, size));
        try {
            MethodHandles.Lookup defined = nestmate
                    ? host.defineHiddenClass(bytes, true, MethodHandles.Lookup.ClassOption.NESTMATE)
                    : host.defineHiddenClass(bytes, true);
            return Optional.of((FlatRecordAccess) defined.findConstructor(defined.lookupClass(),
                    MethodType.methodType(void.class)).invoke());
        } catch (IllegalAccessException | LinkageError e) {
            return Optional.empty(); // the class cannot link to the record or to this library: method handles serve it
        } catch (Throwable t) {
            throw new IllegalStateException("cannot compile the codec of " + type.getName(), t);
        }
    }

    /**
     * True when a class of this package may call the canonical constructor and the accessors of {@code type}: both
     * public, the package exported (or open) to this module, which reads the record's module ({@link RecordCodec}
     * made it), and the record the class that this package's loader resolves its name to.
     */
    private static boolean publicHere(Class<?> type, RecordComponent[] components) {
        Module library = FlatRecordAccessGenerator.class.getModule();
        if (!Modifier.isPublic(type.getModifiers()) || !type.getModule().isExported(type.getPackageName(), library)
                || !library.canRead(type.getModule())) {
            return false;
        }
        try {
            Class<?>[] parameters = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
            return Modifier.isPublic(type.getDeclaredConstructor(parameters).getModifiers())
                    && Class.forName(type.getName(), false, FlatRecordAccessGenerator.class.getClassLoader()) == type;
        } catch (ReflectiveOperationException | LinkageError e) {
            return false;
        }
    }

    /** A zero store over padding: {@code slot}'s width of bytes at {@code offset}. */
    private record Zero(Slot slot, int offset) {}

    /**
     * The stores that zero every byte of a {@code size}-byte struct that no component covers, each as wide as the
     * gap left allows (components are in offset order, as {@link dev.mapsync.Schema} lays them out).
     */
    private static List<Zero> padding(Slot[] slots, int[] offsets, int size) {
        List<Zero> zeros = new ArrayList<>();
        for (int i = 0; i < slots.length; i++) {
            int from = offsets[i] + slots[i].width, to = i + 1 < slots.length ? offsets[i + 1] : size;
            while (from < to) {
                int gap = to - from;
                Slot widest = gap >= 8 ? Slot.LONG : gap >= 4 ? Slot.INT : gap >= 2 ? Slot.SHORT : Slot.BYTE;
                zeros.add(new Zero(widest, from));
                from += widest.width;
            }
        }
        return zeros;
    }

    private static byte[] classBytes(String pkg, Class<?> type, RecordComponent[] components, Slot[] slots,
                                     int[] offsets, List<Zero> zeros) {
        ClassDesc record = desc(type);
        ClassDesc self = ClassDesc.of((pkg.isEmpty() ? "" : pkg + ".") + "MapsyncFlatAccess");
        ClassDesc[] ctorArgs = Arrays.stream(components).map(c -> desc(c.getType())).toArray(ClassDesc[]::new);
        // INT always: readIfUnchanged reads the sequence word with it
        Slot[] distinct = Stream.of(Arrays.stream(slots), zeros.stream().map(Zero::slot), Stream.of(Slot.INT))
                .flatMap(s -> s)
                .map(s -> s == Slot.BOOLEAN ? Slot.BYTE : s).distinct().toArray(Slot[]::new);
        return ClassFile.of().build(self, cb -> {
            cb.withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SYNTHETIC);
            cb.withInterfaceSymbols(desc(FlatRecordAccess.class));
            for (Slot s : distinct) {
                cb.withField(s.field(), s.layout, ClassFile.ACC_PRIVATE | ClassFile.ACC_STATIC | ClassFile.ACC_FINAL);
            }
            cb.withMethodBody(ConstantDescs.CLASS_INIT_NAME, ConstantDescs.MTD_void, ClassFile.ACC_STATIC, code -> {
                for (Slot s : distinct) {
                    code.getstatic(CD_VALUE_LAYOUT, s.constant, s.layout);
                    code.getstatic(CD_BYTE_ORDER, "LITTLE_ENDIAN", CD_BYTE_ORDER);
                    code.invokeinterface(s.layout, "withOrder", MethodTypeDesc.of(s.layout, CD_BYTE_ORDER));
                    code.putstatic(self, s.field(), s.layout);
                }
                code.return_();
            });
            cb.withMethodBody(ConstantDescs.INIT_NAME, ConstantDescs.MTD_void, ClassFile.ACC_PUBLIC, code -> code
                    .aload(0).invokespecial(ConstantDescs.CD_Object, ConstantDescs.INIT_NAME, ConstantDescs.MTD_void)
                    .return_());
            cb.withMethodBody("read", READ, ClassFile.ACC_PUBLIC, code -> {
                code.new_(record).dup();
                for (int i = 0; i < slots.length; i++) loadField(code, self, slots[i], offsets[i]);
                code.invokespecial(record, ConstantDescs.INIT_NAME, MethodTypeDesc.of(CD_void, ctorArgs)).areturn();
            });
            cb.withMethodBody("readIfUnchanged", READ_IF_UNCHANGED, ClassFile.ACC_PUBLIC, code -> {
                // locals: 0 this, 1 segment, 2-3 offset, 4 control, 5-6 sequenceOffset, 7 sequence
                int[] locals = new int[slots.length];
                for (int i = 0; i < slots.length; i++) {
                    TypeKind kind = TypeKind.from(ctorArgs[i]);
                    locals[i] = code.allocateLocal(kind);
                    loadField(code, self, slots[i], offsets[i]);
                    code.storeLocal(kind, locals[i]);
                }
                code.invokestatic(CD_VAR_HANDLE, "loadLoadFence", ConstantDescs.MTD_void);
                code.aload(4).getstatic(self, Slot.INT.field(), Slot.INT.layout).lload(5)
                        .invokeinterface(CD_SEGMENT, "get", MethodTypeDesc.of(ConstantDescs.CD_int, Slot.INT.layout, CD_long))
                        .iload(7);
                code.ifThen(Opcode.IF_ICMPNE, moved -> moved.aconst_null().areturn());
                code.new_(record).dup();
                for (int i = 0; i < slots.length; i++) code.loadLocal(TypeKind.from(ctorArgs[i]), locals[i]);
                code.invokespecial(record, ConstantDescs.INIT_NAME, MethodTypeDesc.of(CD_void, ctorArgs)).areturn();
            });
            cb.withMethodBody("write", WRITE, ClassFile.ACC_PUBLIC, code -> {
                // every accessor runs before the first store, so one that throws leaves the memory as it was
                code.aload(4).checkcast(record).astore(4);
                int[] locals = new int[slots.length];
                for (int i = 0; i < slots.length; i++) {
                    TypeKind kind = TypeKind.from(ctorArgs[i]);
                    locals[i] = code.allocateLocal(kind);
                    code.aload(4).invokevirtual(record, components[i].getName(), MethodTypeDesc.of(ctorArgs[i]));
                    code.storeLocal(kind, locals[i]);
                }
                for (int i = 0; i < slots.length; i++) {
                    fieldAddress(code, self, slots[i], offsets[i]);
                    code.loadLocal(TypeKind.from(ctorArgs[i]), locals[i]);
                    code.invokeinterface(CD_SEGMENT, "set",
                            MethodTypeDesc.of(CD_void, slots[i].layout, CD_long, slots[i].stored()));
                }
                for (Zero z : zeros) {
                    fieldAddress(code, self, z.slot(), z.offset());
                    if (z.slot() == Slot.LONG) code.lconst_0();
                    else code.iconst_0();
                    code.invokeinterface(CD_SEGMENT, "set",
                            MethodTypeDesc.of(CD_void, z.slot().layout, CD_long, z.slot().stored()));
                }
                code.return_();
            });
        });
    }

    /** Pushes the value of the field at {@code offset + fieldOffset} of the segment, as its component type. */
    private static void loadField(CodeBuilder code, ClassDesc self, Slot slot, int fieldOffset) {
        fieldAddress(code, self, slot, fieldOffset);
        code.invokeinterface(CD_SEGMENT, "get", MethodTypeDesc.of(slot.stored(), slot.layout, CD_long));
        if (slot == Slot.BOOLEAN) code.ifThenElse(Opcode.IFNE, b -> b.iconst_1(), b -> b.iconst_0());
    }

    /** Pushes the segment, the field's layout and {@code offset + fieldOffset}. */
    private static void fieldAddress(CodeBuilder code, ClassDesc self, Slot slot, int fieldOffset) {
        Slot stored = slot == Slot.BOOLEAN ? Slot.BYTE : slot;
        code.aload(1).getstatic(self, stored.field(), stored.layout).lload(2);
        if (fieldOffset != 0) code.loadConstant((long) fieldOffset).ladd();
    }

    private static ClassDesc desc(Class<?> c) {
        return c.describeConstable().orElseThrow();
    }
}
