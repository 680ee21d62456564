package dev.mapsync.internal.asm;

import dev.mapsync.internal.sys.Layouts;

import java.lang.foreign.MemorySegment;

/**
 * One 8-byte BPF instruction ({@code struct bpf_insn}), little-endian:
 * <pre>
 * offset size field
 *      0    1 code: class (bits 0-2) | size or operation | mode or source
 *      1    1 dst_reg (bits 0-3) | src_reg (bits 4-7)
 *      2    2 off (signed): memory offset, or jump distance in instructions after this one
 *      4    4 imm (signed)
 * </pre>
 * The 64-bit immediate load ({@code ld_imm64}) takes two slots; the second has code 0 and the high 32 bits in imm.
 */
public record Insn(int code, Reg dst, Reg src, short off, int imm) {
    // instruction classes
    static final int LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU = 0x04, JMP = 0x05, ALU64 = 0x07;
    // memory access sizes
    static final int SIZE_W = 0x00, SIZE_H = 0x08, SIZE_B = 0x10, SIZE_DW = 0x18;
    // memory access modes
    static final int MODE_IMM = 0x00, MODE_MEM = 0x60, MODE_ATOMIC = 0xc0;
    // operand source: K = the immediate, X = src_reg
    static final int SRC_K = 0x00, SRC_X = 0x08;
    // ALU and jump operations
    static final int OP_ADD = 0x00, OP_AND = 0x50, OP_MOV = 0xb0, OP_JA = 0x00, OP_JEQ = 0x10, OP_JNE = 0x50, OP_CALL = 0x80,
            OP_EXIT = 0x90;
    // atomic operations (in imm); FETCH returns the old value
    static final int ATOMIC_ADD = 0x00, ATOMIC_FETCH = 0x01, ATOMIC_XCHG = 0xe0 | ATOMIC_FETCH,
            ATOMIC_CMPXCHG = 0xf0 | ATOMIC_FETCH;
    /** ld_imm64 src_reg value: imm is a map file descriptor the kernel replaces with the map's address. */
    static final Reg PSEUDO_MAP_FD = Reg.R1;

    public static final int SIZE = 8;

    /** Writes the instruction at {@code offset}. */
    public void writeTo(MemorySegment s, long offset) {
        s.set(Layouts.BYTE, offset, (byte) code);
        s.set(Layouts.BYTE, offset + 1, (byte) (src.number() << 4 | dst.number()));
        s.set(Layouts.SHORT, offset + 2, off);
        s.set(Layouts.INT, offset + 4, imm);
    }

    /** The 8 bytes of the instruction. */
    public byte[] bytes() {
        MemorySegment s = MemorySegment.ofArray(new byte[SIZE]);
        writeTo(s, 0);
        return s.toArray(Layouts.BYTE);
    }
}
