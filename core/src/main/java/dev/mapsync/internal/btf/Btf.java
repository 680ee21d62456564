package dev.mapsync.internal.btf;

import dev.mapsync.internal.sys.LoadedBtf;
import dev.mapsync.internal.sys.Layouts;
import dev.mapsync.internal.sys.Bpf;
import dev.mapsync.internal.sys.LibC;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The BPF Type Format: the numbers of its encoding, and loading a blob into the kernel.
 *
 * <p>A blob is a header, then the type section, then the string section; all integers little-endian.
 * <pre>
 * header (24 bytes)
 * offset size field
 *      0    2 magic 0xEB9F
 *      2    1 version (1)
 *      3    1 flags (0)
 *      4    4 hdr_len (24)
 *      8    4 type_off (from the end of the header)
 *     12    4 type_len
 *     16    4 str_off (from the end of the header)
 *     20    4 str_len
 *
 * struct btf_type (12 bytes), followed by kind-specific data
 *      0    4 name_off (into the string section; 0 = anonymous)
 *      4    4 info: vlen in bits 0-15, kind in bits 24-28, kind_flag in bit 31
 *      8    4 size (INT, STRUCT, UNION, ENUM, FLOAT, DATASEC) or type (the others)
 * </pre>
 * Kind-specific data: INT one u32 ({@code encoding << 24 | bit offset << 16 | bits}); ARRAY {@code btf_array}
 * {type, index_type, nelems}; STRUCT and UNION vlen × {@code btf_member} {name_off, type, offset in bits
 * (with kind_flag: bitfield size &lt;&lt; 24 | bit offset)}; ENUM vlen × 8 bytes; ENUM64, DATASEC vlen × 12 bytes;
 * FUNC_PROTO vlen × 8 bytes; VAR and DECL_TAG 4 bytes; the others none. Type ids are implicit: the n-th type
 * in the section has id n (id 0 is {@code void}).
 */
public final class Btf {
    private Btf() {}

    public static final int MAGIC = 0xEB9F, VERSION = 1, HEADER_LENGTH = 24, TYPE_LENGTH = 12;

    public static final int KIND_INT = 1, KIND_PTR = 2, KIND_ARRAY = 3, KIND_STRUCT = 4, KIND_UNION = 5,
            KIND_ENUM = 6, KIND_FWD = 7, KIND_TYPEDEF = 8, KIND_VOLATILE = 9, KIND_CONST = 10, KIND_RESTRICT = 11,
            KIND_FUNC = 12, KIND_FUNC_PROTO = 13, KIND_VAR = 14, KIND_DATASEC = 15, KIND_FLOAT = 16,
            KIND_DECL_TAG = 17, KIND_TYPE_TAG = 18, KIND_ENUM64 = 19;

    /** INT encodings (one at most). */
    public static final int INT_SIGNED = 1, INT_CHAR = 2, INT_BOOL = 4;

    /** The {@code info} word of a type. */
    static int info(int kind, int vlen, boolean kindFlag) {
        return (kindFlag ? 1 << 31 : 0) | kind << 24 | vlen;
    }

    static int kind(int info) {
        return (info >>> 24) & 0x1f;
    }

    static int vlen(int info) {
        return info & 0xffff;
    }

    static boolean kindFlag(int info) {
        return info < 0;
    }

    /** Loads {@code blob} with {@code BPF_BTF_LOAD}. */
    public static LoadedBtf load(BtfWriter.Blob blob) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bytes = arena.allocateFrom(Layouts.BYTE, blob.bytes());
            return new LoadedBtf(Bpf.btfLoad(bytes), blob.keyTypeId(), blob.valueTypeId());
        }
    }
}
