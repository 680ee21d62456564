/*
 * ring_produce: the C side of RingProducerChild. Puts COUNT records (source:i32, kind:i32, seq:i64 with seq 0, 1,
 * 2, ...) into a ring or queue, waiting for room as long as it takes (up to 120 s each); prints "produced=COUNT".
 * With --hang-claimed it then claims one more record, writes half of it, prints "claimed" and waits to be killed.
 * With --squares the records are instead two i64 words w, w * w with w = SOURCE * 1000000 + seq, as the user ring
 * drain program (test/resources/bpf/user_ring_drain.bpf.c) checks them. With --timeout=MS each claim waits MS ms
 * instead.
 *
 *   ring_produce MAP SOURCE COUNT [--hang-claimed | --squares | --timeout=MS]
 */
#include <mapsync.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct item { int32_t source, kind; int64_t seq; };

int main(int argc, char **argv) {
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: ring_produce MAP SOURCE COUNT [--hang-claimed | --squares | --timeout=MS]\n");
        return 1;
    }
    int32_t source = (int32_t)strtol(argv[2], NULL, 10);
    long count = strtol(argv[3], NULL, 10);
    struct mapsync_map m;
    int rc = mapsync_open(&m, argv[1], 0);
    struct mapsync_claim claim;
    bool squares = argc == 5 && strcmp(argv[4], "--squares") == 0;
    bool timed = argc == 5 && strncmp(argv[4], "--timeout=", 10) == 0;
    long timeout_ms = timed ? strtol(argv[4] + 10, NULL, 10) : 120000;
    for (long seq = 0; rc == 0 && seq < count; seq++) {
        struct item it = {source, 0, seq};
        if (squares) {
            int64_t w = (int64_t)source * 1000000 + seq, both[2] = {w, w * w};
            memcpy(&it, both, sizeof it);
        }
        rc = mapsync_ring_claim(&m, sizeof it, timeout_ms, &claim);
        if (rc == 0) {
            memcpy(claim.payload, &it, sizeof it);
            rc = mapsync_ring_commit(&m, &claim);
        }
    }
    if (rc != 0) {
        fprintf(stderr, "ring_produce: %s\n", m.error);
        return mapsync_exit_code(rc);
    }
    if (argc == 5 && !squares && !timed) {
        rc = mapsync_ring_claim(&m, sizeof(struct item), 120000, &claim);
        if (rc != 0) return mapsync_exit_code(rc);
        memcpy(claim.payload, &source, sizeof source);
        printf("claimed\n");
        fflush(stdout);
        for (;;) pause();
    }
    printf("produced=%ld\n", count);
    mapsync_close(&m);
    return 0;
}
