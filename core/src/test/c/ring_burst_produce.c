/*
 * ring_burst_produce: the producer of the ring burst test. Runs the program ring_burst.bpf.c (pinned at PROG) with
 * BPF_PROG_TEST_RUN and a repeat count of BURST, so that it writes BURST records back to back, then waits PAUSE_US
 * microseconds (spinning on the clock, so that the pause is what it says), until it has written TOTAL records. Last
 * line: "first=S attempted=A lost=L", from the program's counts map (pinned at COUNTS): the seq of this run's first
 * record, the records it wrote and those the ring had no room for.
 *
 *   ring_burst_produce PROG COUNTS TOTAL BURST PAUSE_US
 */
#include <bpf/bpf.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static int counts(int fd, uint64_t out[2]) {
    for (uint32_t k = 0; k < 2; k++) {
        if (bpf_map_lookup_elem(fd, &k, &out[k]) != 0) return -1;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: ring_burst_produce PROG COUNTS TOTAL BURST PAUSE_US\n");
        return 1;
    }
    long total = strtol(argv[3], NULL, 10), burst = strtol(argv[4], NULL, 10);
    long pause = strtol(argv[5], NULL, 10) * 1000;
    int prog = bpf_obj_get(argv[1]), map = bpf_obj_get(argv[2]);
    uint64_t before[2], after[2];
    if (prog < 0 || map < 0 || counts(map, before) != 0) {
        perror("ring_burst_produce: bpf_obj_get");
        return 1;
    }
    char packet[64];
    memset(packet, 0, sizeof(packet));
    for (long written = 0; written < total; written += burst) {
        long n = total - written < burst ? total - written : burst;
        LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = packet, .data_size_in = sizeof(packet), .repeat = (int)n);
        if (bpf_prog_test_run_opts(prog, &run) != 0) {
            perror("ring_burst_produce: BPF_PROG_TEST_RUN");
            return 1;
        }
        long until = now_ns() + pause;
        while (now_ns() < until) {
        }
    }
    if (counts(map, after) != 0) {
        perror("ring_burst_produce: lookup");
        return 1;
    }
    printf("first=%llu attempted=%llu lost=%llu\n", (unsigned long long)before[0], (unsigned long long)(after[0] - before[0]),
           (unsigned long long)(after[1] - before[1]));
    return 0;
}
