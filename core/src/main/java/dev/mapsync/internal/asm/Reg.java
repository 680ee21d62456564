package dev.mapsync.internal.asm;

/**
 * The eleven BPF registers. R0 holds return values (of helpers and of the program), R1-R5 pass helper arguments
 * and are clobbered by calls, R6-R9 survive calls, R10 is the read-only frame pointer (the stack grows down
 * from it, 512 bytes).
 */
public enum Reg {
    R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10;

    /** The register's number in an instruction. */
    public int number() {
        return ordinal();
    }
}
