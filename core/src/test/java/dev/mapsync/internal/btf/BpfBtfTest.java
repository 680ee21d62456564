package dev.mapsync.internal.btf;

import dev.mapsync.internal.store.KernelMap;
import dev.mapsync.internal.sys.KernelMapInfo;
import dev.mapsync.Schema;
import dev.mapsync.internal.sys.SyscallException;
import dev.mapsync.testkit.Machine;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** BTF written from schemas, loaded by the kernel, read back from the kernel; and what the reader refuses. */
class BpfBtfTest {
    private static final String EVERY_KIND = "a:i8,b:u8,c:i16,d:u16,e:i32,f:u32,g:i64,h:u64,x:f32,y:f64,ok:bool,"
            + "name:char[16],v:i32[4],raw:u8[3],inner:{p:i64,q:char[5],r:{s:u16}},tail:f64[2]";

    @Test
    void everySchemaKindSurvivesTheKernelAndComesBack() {
        Machine.requireBpf();
        for (String text : new String[] {EVERY_KIND, "i64", "u16[8]", "char[32]", "bool", "f32", "one:u8"}) {
            Schema schema = Schema.parse(text);
            try (KernelMap map = KernelMap.createArray("btf-" + text.length(), schema, 2)) {
                KernelMapInfo info = map.info();
                assertTrue(info.hasBtf(), text);
                BtfReader kernelCopy = BtfReader.ofKernel(info.btfId());
                assertEquals(schema, kernelCopy.schema(info.btfValueTypeId()), text);
                assertEquals(Schema.scalar(Schema.Kind.U32), kernelCopy.schema(info.btfKeyTypeId()), text);
            }
        }
    }

    @Test
    void writerNamesTheValueStructAfterTheMapAndSharesScalars() {
        BtfWriter.Blob blob = BtfWriter.forArray("9-lives", Schema.parse("a:u32,b:u32,c:char[4],d:char[4]"));
        BtfReader btf = BtfReader.parse(blob.bytes());
        assertEquals("unsigned int", btf.describe(blob.keyTypeId()));
        assertEquals("struct _9_lives", btf.describe(blob.valueTypeId()));
        // u32 (also the key and the array index), char, char[4], the struct
        assertEquals(4, btf.typeCount());
    }

    @Test
    void kernelLogExplainsARefusedBlob() {
        Machine.requireBpf();
        Blob b = new Blob();
        int bad = b.string("not a name");
        b.type(bad, Btf.KIND_STRUCT, 0, false, 0);        // a struct named with spaces, and empty
        SyscallException e = assertThrows(SyscallException.class, () -> Btf.load(new BtfWriter.Blob(b.bytes(), 1, 1)));
        assertTrue(e.getMessage().startsWith("bpf(BPF_BTF_LOAD): EINVAL"), e.getMessage());
        assertTrue(e.log().contains("BTF log:"), e.getMessage());
        assertTrue(e.getMessage().lines().count() > 1, "the kernel's log follows the first line: " + e.getMessage());
    }

    @Test
    void typedefsQualifiersAndEnumsAreLookedThrough() {
        Blob b = new Blob();
        int u64 = b.integer("unsigned long", 8, 0);                           // 1
        int typedef = b.type(b.string("u64_t"), Btf.KIND_TYPEDEF, 0, false, u64); // 2
        int constT = b.type(0, Btf.KIND_CONST, 0, false, typedef);             // 3
        int e = b.type(b.string("color"), Btf.KIND_ENUM, 1, true, 4);          // 4: signed enum
        b.u32(b.string("RED")).u32(-1);
        int s = b.type(b.string("thing"), Btf.KIND_STRUCT, 2, false, 16);      // 5
        b.member("n", constT, 0).member("c", e, 64);
        BtfReader btf = BtfReader.parse(b.bytes());
        assertEquals(Schema.parse("n:u64,c:i32"), btf.schema(s));
    }

    @Test
    void readerRefusesWhatNoSchemaSays() {
        Blob b = new Blob();
        int i32 = b.integer("int", 4, Btf.INT_SIGNED);                                       // 1
        int chr = b.integer("char", 1, Btf.INT_SIGNED);                                      // 2
        int union = b.type(b.string("u"), Btf.KIND_UNION, 2, false, 4);                     // 3
        b.member("a", i32, 0).member("b", i32, 0);
        int withUnion = b.type(b.string("s"), Btf.KIND_STRUCT, 1, false, 4);                // 4
        b.member("u", union, 0);
        int packed = b.type(b.string("p"), Btf.KIND_STRUCT, 2, false, 5);                   // 5
        b.member("c", chr, 0).member("i", i32, 8);
        int bitfield = b.type(b.string("f"), Btf.KIND_STRUCT, 1, true, 4);                  // 6
        b.member("flags", i32, 3 << 24);
        int ptr = b.type(0, Btf.KIND_PTR, 0, false, i32);                                     // 7
        int withPtr = b.type(b.string("q"), Btf.KIND_STRUCT, 1, false, 8);                  // 8
        b.member("next", ptr, 0);
        int arrayOfStructs = b.type(0, Btf.KIND_ARRAY, 0, false, 0);                          // 9
        b.u32(withUnion).u32(i32).u32(2);
        int int128 = b.integer("__int128", 16, Btf.INT_SIGNED);                              // 10
        BtfReader btf = BtfReader.parse(b.bytes());

        assertRefused(btf, union, "union u is a union; schemas have no unions");
        assertRefused(btf, withUnion, "struct s.u is a union; schemas have no unions");
        assertRefused(btf, packed, "struct p.i is at byte 1, where C's natural alignment puts it at byte 4 (a packed or hand-placed struct)");
        assertRefused(btf, bitfield, "struct f.flags is a 3-bit bitfield");
        assertRefused(btf, withPtr, "struct q.next is a pointer, which means nothing in another process");
        assertRefused(btf, arrayOfStructs, "struct s[2] is an array of struct s; schema arrays hold scalars only");
        assertRefused(btf, int128, "__int128 is a 16-byte integer; schemas have 1, 2, 4 and 8 bytes");
        assertRefused(btf, 99, "type 99 refers to type 99, which is not in this BTF (split BTF is not read)");
        IllegalArgumentException notBtf = assertThrows(IllegalArgumentException.class, () -> BtfReader.parse(new byte[30]));
        assertEquals("not BTF: no 0xEB9F magic", notBtf.getMessage());
    }

    private static void assertRefused(BtfReader btf, int id, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> btf.schema(id));
        assertEquals(message, e.getMessage());
    }

    /** Hand-made BTF, for types BtfWriter never writes. */
    private static final class Blob {
        private final ByteArrayOutputStream types = new ByteArrayOutputStream();
        private final ByteArrayOutputStream strings = new ByteArrayOutputStream();
        private int next = 1;

        Blob() {
            strings.write(0);
        }

        int string(String s) {
            int at = strings.size();
            strings.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
            strings.write(0);
            return at;
        }

        Blob u32(int v) {
            types.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
            return this;
        }

        int type(int nameOff, int kind, int vlen, boolean kindFlag, int sizeOrType) {
            u32(nameOff).u32(Btf.info(kind, vlen, kindFlag)).u32(sizeOrType);
            return next++;
        }

        int integer(String name, int size, int encoding) {
            int id = type(string(name), Btf.KIND_INT, 0, false, size);
            u32(encoding << 24 | size * 8);
            return id;
        }

        Blob member(String name, int type, int offset) {
            return u32(string(name)).u32(type).u32(offset);
        }

        byte[] bytes() {
            byte[] t = types.toByteArray(), s = strings.toByteArray();
            return ByteBuffer.allocate(24 + t.length + s.length).order(ByteOrder.LITTLE_ENDIAN)
                    .putShort((short) 0xEB9F).put((byte) 1).put((byte) 0).putInt(24)
                    .putInt(0).putInt(t.length).putInt(t.length).putInt(s.length).put(t).put(s).array();
        }
    }
}
