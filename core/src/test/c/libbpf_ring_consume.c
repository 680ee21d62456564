/*
 * libbpf_ring_consume: libbpf's own consumer of a kernel ring buffer (ring_buffer__new, ring_buffer__poll), the peer
 * that mapsync's consumers are measured against. Opens the ring pinned at PIN, says "ready", and takes the 16-byte
 * records {seq, seq * seq} that ring_burst.bpf.c writes until it has EXPECTED of them or TIMEOUT_MS passed. Last
 * line: "received=N first=F last=L disorder=D bad=B": D records whose seq was not above the one before, B records that
 * are not 16 bytes of {seq, seq * seq}.
 *
 *   libbpf_ring_consume PIN EXPECTED TIMEOUT_MS
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct tally { long received, disorder, bad; uint64_t first, last; };

static int on_record(void *ctx, void *data, size_t size) {
    struct tally *t = ctx;
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
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: libbpf_ring_consume PIN EXPECTED TIMEOUT_MS\n");
        return 1;
    }
    long expected = strtol(argv[2], NULL, 10);
    long deadline = now_ms() + strtol(argv[3], NULL, 10);
    int fd = bpf_obj_get(argv[1]);
    if (fd < 0) {
        perror("bpf_obj_get");
        return 1;
    }
    struct tally t = {0};
    struct ring_buffer *rb = ring_buffer__new(fd, on_record, &t, NULL);
    if (!rb) {
        perror("ring_buffer__new");
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    while (t.received < expected) {
        long left = deadline - now_ms();
        if (left <= 0) break;
        int n = ring_buffer__poll(rb, left < 100 ? (int)left : 100);
        if (n < 0 && n != -4 /* EINTR */) {
            fprintf(stderr, "ring_buffer__poll: %d\n", n);
            return 1;
        }
    }
    printf("received=%ld first=%llu last=%llu disorder=%ld bad=%ld\n", t.received, (unsigned long long)t.first,
           (unsigned long long)t.last, t.disorder, t.bad);
    ring_buffer__free(rb);
    return 0;
}
