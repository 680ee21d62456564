/*
 * counter: adds 1 to one value of an i64 (or u64) map, COUNT times, with the atomic add Java's
 * LongSlots.getAndAdd uses, so that it can race Java processes (and BPF programs) on the same value and
 * lose nothing.
 *
 *   counter MAP INDEX COUNT [--gate READY,GO]
 *
 * MAP is NAME (in $MAPSYNC_DIR, else /dev/shm/mapsync), bpf:NAME (build counter-bpf), or a path. With --gate,
 * it first adds 1 to value READY, then waits until value GO is not 0, so that every racer starts together.
 * Prints "added COUNT to value INDEX". Exit codes are those of the mapsync command.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <mapsync.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int usage(void) {
    fprintf(stderr, "usage: counter MAP INDEX COUNT [--gate READY,GO]\n");
    return 1;
}

static bool parse_u64(const char *text, uint64_t *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-') return false;
    *out = v;
    return true;
}

int main(int argc, char **argv) {
    uint64_t index, count, ready = 0, go = 0;
    bool gate = false;
    if (argc != 4 && argc != 6) return usage();
    if (!parse_u64(argv[2], &index) || !parse_u64(argv[3], &count)) return usage();
    if (argc == 6) {
        if (strcmp(argv[4], "--gate") != 0 || sscanf(argv[5], "%" SCNu64 ",%" SCNu64, &ready, &go) != 2) return usage();
        gate = true;
    }

    struct mapsync_map m;
    int rc = mapsync_open(&m, argv[1], 0);
    if (rc != 0) {
        fprintf(stderr, "counter: %s\n", m.error);
        return mapsync_exit_code(rc);
    }
    if (strcmp(m.value_schema, "i64") != 0 && strcmp(m.value_schema, "u64") != 0) {
        fprintf(stderr, "counter: map %s holds %s, not i64 or u64 values\n", argv[1], m.value_schema);
        mapsync_close(&m);
        return 3;
    }
    int64_t *slot = index > UINT32_MAX ? NULL : MAPSYNC_VALUE(&m, int64_t, (uint32_t)index);
    int64_t *ready_slot = MAPSYNC_VALUE(&m, int64_t, (uint32_t)ready);
    int64_t *go_slot = MAPSYNC_VALUE(&m, int64_t, (uint32_t)go);
    if (slot == NULL || (gate && (ready_slot == NULL || go_slot == NULL || ready > UINT32_MAX || go > UINT32_MAX))) {
        fprintf(stderr, "counter: index out of range for map %s (0..%u)\n", argv[1], m.entries - 1);
        mapsync_close(&m);
        return 1;
    }

    if (gate) {
        mapsync_fetch_add_i64(ready_slot, 1);
        while (mapsync_load_acquire_i64(go_slot) == 0) {
            struct timespec nap = {0, 50000}; /* short naps, not a spin: on a small machine a spin slows the others */
            nanosleep(&nap, NULL);
        }
    }
    for (uint64_t i = 0; i < count; i++) mapsync_fetch_add_i64(slot, 1);

    printf("added %" PRIu64 " to value %" PRIu64 "\n", count, index);
    mapsync_close(&m);
    return 0;
}
