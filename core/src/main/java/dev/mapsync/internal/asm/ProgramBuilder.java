package dev.mapsync.internal.asm;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a BPF program instruction by instruction, with forward jumps to {@link Label}s, without a compiler.
 * It knows the few instructions mapsync's programs need: moves, adds and masks, stores to the stack, loads and atomic
 * operations on memory, map descriptors, helper calls, conditional jumps and exit.
 *
 * <pre>{@code
 * ProgramBuilder b = new ProgramBuilder();
 * Label miss = b.label();
 * b.lookupElement(mapFd, 3, miss)                      // r0 = &value[3], or jump to miss
 *  .mov(Reg.R1, 1)
 *  .atomicAdd(Width.DW, Reg.R0, 0, Reg.R1)              // lock *(u64 *)(r0 + 0) += r1
 *  .bind(miss)
 *  .mov(Reg.R0, 0)
 *  .exit();
 * }</pre>
 */
public final class ProgramBuilder {
    /** The width of a memory access or atomic operation. */
    public enum Width {
        /** 32 bits. */
        W(Insn.SIZE_W),
        /** 64 bits. */
        DW(Insn.SIZE_DW);

        final int code;

        Width(int code) {
            this.code = code;
        }
    }

    /** A kernel helper function a program may call. */
    public enum Helper {
        /** {@code void *bpf_map_lookup_elem(map, key)}: r1 = map, r2 = pointer to key; r0 = pointer to value or 0. */
        MAP_LOOKUP_ELEM(1),
        /** {@code void bpf_spin_lock(struct bpf_spin_lock *lock)}: r1 = pointer to the lock in a map value. */
        SPIN_LOCK(93),
        /** {@code void bpf_spin_unlock(struct bpf_spin_lock *lock)}. */
        SPIN_UNLOCK(94),
        /**
         * {@code long bpf_skb_load_bytes(skb, offset, to, len)}: r1 = the program's context, r2 = offset in the packet,
         * r3 = pointer to the destination (such as the stack), r4 = length; r0 = 0 or a negative errno.
         */
        SKB_LOAD_BYTES(26),
        /**
         * {@code long bpf_ringbuf_output(ringbuf, data, size, flags)}: copies {@code size} bytes at r2 into a new
         * record of the ring buffer map r1 and commits it; r4 = 0 (adaptive wake-up), {@code BPF_RB_NO_WAKEUP} (1)
         * or {@code BPF_RB_FORCE_WAKEUP} (2); r0 = 0, or -EAGAIN when the ring is full.
         */
        RINGBUF_OUTPUT(130),
        /** {@code void *bpf_ringbuf_reserve(ringbuf, size, flags)}: r0 = pointer to a claimed record, or 0 when full. */
        RINGBUF_RESERVE(131),
        /** {@code void bpf_ringbuf_submit(data, flags)}: commits a reserved record. */
        RINGBUF_SUBMIT(132),
        /** {@code void bpf_ringbuf_discard(data, flags)}: discards a reserved record (the consumer skips it). */
        RINGBUF_DISCARD(133);

        final int id;

        Helper(int id) {
            this.id = id;
        }
    }

    /** A jump target; {@link #bind} places it before the next instruction. */
    public static final class Label {
        private Label() {}
    }

    private final List<Insn> insns = new ArrayList<>();
    private final Map<Integer, Label> jumps = new HashMap<>();
    private final Map<Label, Integer> targets = new HashMap<>();

    public Label label() {
        return new Label();
    }

    /** Makes the next instruction the target of {@code label}. */
    public ProgramBuilder bind(Label label) {
        if (targets.putIfAbsent(label, insns.size()) != null) throw new IllegalStateException("label bound twice");
        return this;
    }

    /** {@code dst = imm} (64-bit, imm sign-extended). */
    public ProgramBuilder mov(Reg dst, int imm) {
        return add(new Insn(Insn.ALU64 | Insn.OP_MOV | Insn.SRC_K, dst, Reg.R0, (short) 0, imm));
    }

    /** {@code dst = src} (64-bit). */
    public ProgramBuilder mov(Reg dst, Reg src) {
        return add(new Insn(Insn.ALU64 | Insn.OP_MOV | Insn.SRC_X, dst, src, (short) 0, 0));
    }

    /** {@code dst = imm} for any 64-bit value (two instruction slots). */
    public ProgramBuilder load64(Reg dst, long imm) {
        add(new Insn(Insn.LD | Insn.SIZE_DW | Insn.MODE_IMM, dst, Reg.R0, (short) 0, (int) imm));
        return add(new Insn(0, Reg.R0, Reg.R0, (short) 0, (int) (imm >>> 32)));
    }

    /** {@code dst += imm} (64-bit). */
    public ProgramBuilder addImm(Reg dst, int imm) {
        return add(new Insn(Insn.ALU64 | Insn.OP_ADD | Insn.SRC_K, dst, Reg.R0, (short) 0, imm));
    }

    /** {@code dst &= imm} (64-bit, imm sign-extended), such as an index reduced modulo a power of two. */
    public ProgramBuilder andImm(Reg dst, int imm) {
        return add(new Insn(Insn.ALU64 | Insn.OP_AND | Insn.SRC_K, dst, Reg.R0, (short) 0, imm));
    }

    /** {@code *(width *)(base + off) = src}, such as a key computed in a register stored on the stack. */
    public ProgramBuilder store(Width w, Reg base, int off, Reg src) {
        return add(new Insn(Insn.STX | w.code | Insn.MODE_MEM, base, src, offset(off), 0));
    }

    /** {@code *(width *)(base + off) = imm}, such as a key on the stack ({@code base} R10, off negative). */
    public ProgramBuilder store(Width w, Reg base, int off, int imm) {
        return add(new Insn(Insn.ST | w.code | Insn.MODE_MEM, base, Reg.R0, offset(off), imm));
    }

    /** {@code dst = *(width *)(src + off)}. */
    public ProgramBuilder load(Width w, Reg dst, Reg src, int off) {
        return add(new Insn(Insn.LDX | w.code | Insn.MODE_MEM, dst, src, offset(off), 0));
    }

    /** {@code dst = map}: the address of the map with descriptor {@code mapFd} (ld_imm64, BPF_PSEUDO_MAP_FD). */
    public ProgramBuilder loadMap(Reg dst, int mapFd) {
        add(new Insn(Insn.LD | Insn.SIZE_DW | Insn.MODE_IMM, dst, Insn.PSEUDO_MAP_FD, (short) 0, mapFd));
        return add(new Insn(0, Reg.R0, Reg.R0, (short) 0, 0));
    }

    /** {@code call helper}: arguments in R1-R5, result in R0; R1-R5 are clobbered. */
    public ProgramBuilder call(Helper helper) {
        return add(new Insn(Insn.JMP | Insn.OP_CALL, Reg.R0, Reg.R0, (short) 0, helper.id));
    }

    /** {@code if (reg == imm) goto target}. */
    public ProgramBuilder jumpIfEqual(Reg reg, int imm, Label target) {
        return jump(Insn.JMP | Insn.OP_JEQ | Insn.SRC_K, reg, imm, target);
    }

    /** {@code if (reg != imm) goto target}. */
    public ProgramBuilder jumpIfNotEqual(Reg reg, int imm, Label target) {
        return jump(Insn.JMP | Insn.OP_JNE | Insn.SRC_K, reg, imm, target);
    }

    /** {@code goto target}. */
    public ProgramBuilder jump(Label target) {
        return jump(Insn.JMP | Insn.OP_JA, Reg.R0, 0, target);
    }

    private ProgramBuilder jump(int code, Reg reg, int imm, Label target) {
        jumps.put(insns.size(), target);
        return add(new Insn(code, reg, Reg.R0, (short) 0, imm));
    }

    /** {@code lock *(width *)(dst + off) += src}. */
    public ProgramBuilder atomicAdd(Width w, Reg dst, int off, Reg src) {
        return atomic(w, dst, off, src, Insn.ATOMIC_ADD);
    }

    /** {@code src = atomic_fetch_add((width *)(dst + off), src)}: adds and returns the old value in src. */
    public ProgramBuilder atomicFetchAdd(Width w, Reg dst, int off, Reg src) {
        return atomic(w, dst, off, src, Insn.ATOMIC_ADD | Insn.ATOMIC_FETCH);
    }

    /** {@code src = xchg((width *)(dst + off), src)}. */
    public ProgramBuilder atomicExchange(Width w, Reg dst, int off, Reg src) {
        return atomic(w, dst, off, src, Insn.ATOMIC_XCHG);
    }

    /**
     * {@code r0 = cmpxchg((width *)(dst + off), r0, src)}: if the value equals R0 it becomes src; R0 gets the old
     * value either way (zero-extended for {@link Width#W}).
     */
    public ProgramBuilder atomicCompareExchange(Width w, Reg dst, int off, Reg src) {
        return atomic(w, dst, off, src, Insn.ATOMIC_CMPXCHG);
    }

    private ProgramBuilder atomic(Width w, Reg dst, int off, Reg src, int op) {
        return add(new Insn(Insn.STX | w.code | Insn.MODE_ATOMIC, dst, src, offset(off), op));
    }

    /** {@code exit}: the program returns R0. */
    public ProgramBuilder exit() {
        return add(new Insn(Insn.JMP | Insn.OP_EXIT, Reg.R0, Reg.R0, (short) 0, 0));
    }

    /**
     * Looks up element {@code key} of an array map: the u32 key is stored at {@code r10 - 4}, then
     * {@code r0 = bpf_map_lookup_elem(map, &key)}, and a null result jumps to {@code miss}. After it, R0 points at
     * the value. The verifier demands the null check, except that 6.18 already proves a constant, in-range key of an
     * array non-null; it is emitted always, for older kernels and keys past the end.
     */
    public ProgramBuilder lookupElement(int mapFd, int key, Label miss) {
        return store(Width.W, Reg.R10, -4, key).lookupStackKey(mapFd, miss);
    }

    /**
     * {@link #lookupElement(int, int, Label)} of the key held in register {@code key} (its low 32 bits), such as
     * an index the program computed. The key register is free again after the lookup.
     */
    public ProgramBuilder lookupElement(int mapFd, Reg key, Label miss) {
        return store(Width.W, Reg.R10, -4, key).lookupStackKey(mapFd, miss);
    }

    /** The lookup of the key at {@code r10 - 4}. */
    private ProgramBuilder lookupStackKey(int mapFd, Label miss) {
        return mov(Reg.R2, Reg.R10)
                .addImm(Reg.R2, -4)
                .loadMap(Reg.R1, mapFd)
                .call(Helper.MAP_LOOKUP_ELEM)
                .jumpIfEqual(Reg.R0, 0, miss);
    }

    /**
     * {@code r0 = bpf_ringbuf_output(ring, r10 + stackOff, size, flags)}: copies {@code size} bytes of the stack
     * into a new record of the ring buffer map with descriptor {@code ringFd}. R0 is then 0, or -EAGAIN when the
     * ring was full; R1-R5 are clobbered.
     */
    public ProgramBuilder ringbufOutput(int ringFd, int stackOff, int size, int flags) {
        return mov(Reg.R2, Reg.R10)
                .addImm(Reg.R2, stackOff)
                .loadMap(Reg.R1, ringFd)
                .mov(Reg.R3, size)
                .mov(Reg.R4, flags)
                .call(Helper.RINGBUF_OUTPUT);
    }

    private ProgramBuilder add(Insn insn) {
        insns.add(insn);
        return this;
    }

    private static short offset(int off) {
        if (off != (short) off) throw new IllegalArgumentException("offset " + off + " does not fit 16 bits");
        return (short) off;
    }

    /**
     * The instructions, with every jump pointed at its label.
     *
     * @throws IllegalStateException if a label that is jumped to was never bound
     */
    public List<Insn> build() {
        List<Insn> out = new ArrayList<>(insns);
        for (Map.Entry<Integer, Label> j : jumps.entrySet()) {
            Integer target = targets.get(j.getValue());
            if (target == null) throw new IllegalStateException("a jump at instruction " + j.getKey() + " goes to an unbound label");
            Insn i = out.get(j.getKey());
            out.set(j.getKey(), new Insn(i.code(), i.dst(), i.src(), offset(target - j.getKey() - 1), i.imm()));
        }
        return List.copyOf(out);
    }
}
