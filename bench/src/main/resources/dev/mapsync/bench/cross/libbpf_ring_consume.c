/*
 * libbpf_ring_consume: libbpf's own consumer of a kernel ring buffer (ring_buffer__new, ring_buffer__poll), the peer
 * that mapsync's consumers are measured against (KernelRingBurstTest, and the kernel ring figures of mapsync bench).
 * Opens the ring pinned at PIN, says "ready", and takes records until it has EXPECTED of them or TIMEOUT_MS passed.
 * Last line: "received=N first=F last=L disorder=D bad=B ns=T": the records are 16 bytes of {seq, seq * seq}, as
 * ring_burst.bpf.c writes them; D records whose seq was not above the one before, B records that are not such a pair,
 * T nanoseconds from the first record to the last. With "count" after the arguments it only counts (records of any
 * content: D and B are 0). With "-" for EXPECTED it reads the counts from stdin, one a line, and takes and tallies
 * that many each time, printing a last line for each (a consumer that has run a while, for KernelRingBench).
 *
 *   libbpf_ring_consume PIN EXPECTED|- TIMEOUT_MS [count]
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct tally { long received, disorder, bad; uint64_t first, last; long first_ns, last_ns; int count_only; };

static long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static int on_record(void *ctx, void *data, size_t size) {
    struct tally *t = ctx;
    if (t->count_only) {
        if (t->received++ == 0) t->first_ns = now_ns();
        return 0;
    }
    if (t->received == 0) t->first_ns = now_ns();
    uint64_t words[2];
    if (size != sizeof(words)) {
        t->bad++;
        return 0;
    }
    memcpy(words, data, sizeof(words));
    if (words[1] != words[0] * words[0]) t->bad++;
    if (t->received == 0) t->first = words[0];
    else if (words[0] <= t->last) t->disorder++;
    t->last = words[0];
    t->received++;
    return 0;
}

static long now_ms(void) {
    return now_ns() / 1000000;
}

/* Takes records until the tally has EXPECTED of them or TIMEOUT_MS passed, then prints it. */
static int take(struct ring_buffer *rb, struct tally *t, long expected, long timeout_ms) {
    long deadline = now_ms() + timeout_ms;
    while (t->received < expected) {
        long left = deadline - now_ms();
        if (left <= 0) break;
        int n = ring_buffer__poll(rb, left < 100 ? (int)left : 100);
        if (n < 0 && n != -4 /* EINTR */) {
            fprintf(stderr, "ring_buffer__poll: %d\n", n);
            return 1;
        }
    }
    t->last_ns = now_ns(); /* the poll that handed over the last record has just returned */
    printf("received=%ld first=%llu last=%llu disorder=%ld bad=%ld ns=%ld\n", t->received, (unsigned long long)t->first,
           (unsigned long long)t->last, t->disorder, t->bad, t->received > 0 ? t->last_ns - t->first_ns : 0);
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 4 && !(argc == 5 && strcmp(argv[4], "count") == 0)) {
        fprintf(stderr, "usage: libbpf_ring_consume PIN EXPECTED|- TIMEOUT_MS [count]\n");
        return 1;
    }
    long timeout_ms = strtol(argv[3], NULL, 10);
    int fd = bpf_obj_get(argv[1]);
    if (fd < 0) {
        perror("bpf_obj_get");
        return 1;
    }
    struct tally t = {0};
    t.count_only = argc == 5;
    struct ring_buffer *rb = ring_buffer__new(fd, on_record, &t, NULL);
    if (!rb) {
        perror("ring_buffer__new");
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    int rc = 0;
    if (strcmp(argv[2], "-") != 0) {
        rc = take(rb, &t, strtol(argv[2], NULL, 10), timeout_ms);
    } else {
        char line[64];
        while (rc == 0 && fgets(line, sizeof(line), stdin)) {
            struct tally fresh = {0};
            fresh.count_only = t.count_only;
            t = fresh;
            rc = take(rb, &t, strtol(line, NULL, 10), timeout_ms);
        }
    }
    ring_buffer__free(rb);
    return rc;
}
