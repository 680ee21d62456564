/*
 * counter_tool: counter maps from C (FORMAT.md §11), for CCounterInteropTest.
 *
 *   counter_tool create MAP COUNT        makes the map, adds 1 to counter 0, prints "slot S"
 *   counter_tool add MAP INDEX DELTA N   adds DELTA to counter INDEX N times, prints "slot S" then "sum X"
 *   counter_tool sum MAP INDEX           prints "sum X" (read-only handle)
 *   counter_tool cells MAP INDEX         prints "slot S pid P VALUE" for each cell (read-only handle)
 *   counter_tool reset MAP INDEX         prints "took X", then "sum Y"
 *   counter_tool refusals MAP            prints what a read-only handle and a bad index get
 */
#include <mapsync.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(struct mapsync_map *m, int rc) {
    fprintf(stderr, "counter_tool: %s\n", m->error);
    return mapsync_exit_code(rc);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: counter_tool create|add|sum|cells|reset|refusals MAP ...\n");
        return 1;
    }
    const char *op = argv[1], *map = argv[2];
    struct mapsync_map m;
    int64_t sum = 0;
    int rc;
    if (strcmp(op, "create") == 0) {
        struct mapsync_create_spec spec = {.map_type = MAPSYNC_TYPE_COUNTER, .entries = (uint32_t)atoi(argv[3])};
        rc = mapsync_create(&m, map, &spec);
        if (rc == 0) rc = mapsync_counter_add(&m, 0, 1);
        if (rc != 0) return fail(&m, rc);
        printf("slot %u\n", m.token & 0x3FF);
    } else if (strcmp(op, "add") == 0) {
        uint32_t index = (uint32_t)atoi(argv[3]);
        int64_t delta = strtoll(argv[4], NULL, 10);
        long n = strtol(argv[5], NULL, 10);
        rc = mapsync_open(&m, map, 0);
        if (rc != 0) return fail(&m, rc);
        printf("slot %u\n", m.token & 0x3FF);
        for (long i = 0; rc == 0 && i < n; i++) rc = mapsync_counter_add(&m, index, delta);
        if (rc == 0) rc = mapsync_counter_sum(&m, index, &sum);
        if (rc != 0) return fail(&m, rc);
        printf("sum %lld\n", (long long)sum);
    } else if (strcmp(op, "sum") == 0 || strcmp(op, "cells") == 0) {
        uint32_t index = (uint32_t)atoi(argv[3]);
        rc = mapsync_open(&m, map, MAPSYNC_READ_ONLY);
        if (rc != 0) return fail(&m, rc);
        if (strcmp(op, "sum") == 0) {
            rc = mapsync_counter_sum(&m, index, &sum);
            if (rc != 0) return fail(&m, rc);
            printf("sum %lld\n", (long long)sum);
        } else {
            struct mapsync_counter_cell cells[1024];
            int n = mapsync_counter_cells(&m, index, cells, 1024);
            if (n < 0) return fail(&m, n);
            for (int i = 0; i < n; i++) printf("slot %u pid %u %lld\n", cells[i].slot, cells[i].pid, (long long)cells[i].value);
        }
    } else if (strcmp(op, "reset") == 0) {
        uint32_t index = (uint32_t)atoi(argv[3]);
        rc = mapsync_open(&m, map, 0);
        if (rc == 0) rc = mapsync_counter_sum_then_reset(&m, index, &sum);
        if (rc != 0) return fail(&m, rc);
        printf("took %lld\n", (long long)sum);
        rc = mapsync_counter_sum(&m, index, &sum);
        if (rc != 0) return fail(&m, rc);
        printf("sum %lld\n", (long long)sum);
    } else if (strcmp(op, "refusals") == 0) {
        rc = mapsync_open(&m, map, MAPSYNC_READ_ONLY);
        if (rc != 0) return fail(&m, rc);
        rc = mapsync_counter_add(&m, 0, 1);
        printf("%d %s\n", rc, m.error);
        rc = mapsync_counter_sum(&m, m.entries, &sum);
        printf("%d %s\n", rc, m.error);
    } else {
        fprintf(stderr, "counter_tool: unknown operation %s\n", op);
        return 1;
    }
    mapsync_close(&m);
    return 0;
}
