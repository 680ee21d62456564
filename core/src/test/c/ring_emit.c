/*
 * ring_emit: a C producer of a mapsync bpf queue (a kernel BPF_MAP_TYPE_RINGBUF). User space cannot write a ring
 * buffer's pages (the kernel maps them read-only), so, as Java's producers do, it loads a tiny BPF program that copies
 * a record from its test packet into the ring with bpf_ringbuf_output, and runs it with BPF_PROG_TEST_RUN once per
 * record; the ring is the kernel map libmapsync opened for the queue. Puts COUNT records (source:i32, kind:i32 0,
 * seq:i64 0, 1, 2, ...), running the program again while the ring is full; prints "produced=COUNT".
 *
 *   ring_emit MAP SOURCE COUNT
 */
#include <mapsync.h>

#include <bpf/bpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})

struct item { int32_t source, kind; int64_t seq; };

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: ring_emit MAP SOURCE COUNT\n");
        return 1;
    }
    int32_t source = (int32_t)strtol(argv[2], NULL, 10);
    long count = strtol(argv[3], NULL, 10);
    struct mapsync_map m;
    int rc = mapsync_open(&m, argv[1], MAPSYNC_READ_ONLY);
    if (rc != 0) {
        fprintf(stderr, "ring_emit: %s\n", m.error);
        return mapsync_exit_code(rc);
    }
    struct bpf_insn insns[] = {
        INSN(0xbf, 6, 1, 0, 0), INSN(0xbf, 1, 6, 0, 0), INSN(0xb7, 2, 0, 0, 0), INSN(0xbf, 3, 10, 0, 0),
        INSN(0x07, 3, 0, 0, -16), INSN(0xb7, 4, 0, 0, 16),
        INSN(0x85, 0, 0, 0, 26),            /* bpf_skb_load_bytes(skb, 0, r10 - 16, 16): the record onto the stack */
        INSN(0x55, 0, 0, 7, 0),             /* if r0 != 0 goto exit */
        INSN(0x18, 1, 1, 0, m.bpf_fd), INSN(0, 0, 0, 0, 0),   /* r1 = the queue's ring */
        INSN(0xbf, 2, 10, 0, 0), INSN(0x07, 2, 0, 0, -16), INSN(0xb7, 3, 0, 0, 16), INSN(0xb7, 4, 0, 0, 0),
        INSN(0x85, 0, 0, 0, 130),           /* bpf_ringbuf_output: 0, or -EAGAIN when the ring is full */
        INSN(0x95, 0, 0, 0, 0),
    };
    int prog = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "ring_emit", "GPL", insns, sizeof insns / sizeof *insns, NULL);
    if (prog < 0) {
        fprintf(stderr, "ring_emit: cannot load the program: %s\n", strerror(errno));
        return 5;
    }
    uint8_t packet[64] = {0}; /* a socket filter's test run pulls the 14-byte Ethernet header first */
    for (long seq = 0; seq < count; seq++) {
        struct item it = {source, 0, seq};
        memcpy(packet + 14, &it, sizeof it);
        for (;;) {
            LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = packet, .data_size_in = sizeof packet, .repeat = 1);
            if (bpf_prog_test_run_opts(prog, &run) != 0) {
                fprintf(stderr, "ring_emit: BPF_PROG_TEST_RUN: %s\n", strerror(errno));
                return 5;
            }
            if ((int)run.retval == 0) break;
            if ((int)run.retval != -EAGAIN) {
                fprintf(stderr, "ring_emit: the program returned %d\n", (int)run.retval);
                return 5;
            }
        }
    }
    printf("produced=%ld\n", count);
    mapsync_close(&m);
    return 0;
}
