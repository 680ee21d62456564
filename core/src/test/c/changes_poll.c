/*
 * changes_poll: subscribes to an array's changes, prints "subscribed", then for each TIMEOUT_MS given waits for a
 * line on stdin, polls once and prints a line: "poll TIMEOUT_MS:", the changes (" KEY@SEQ", or " missed
 * FROM+COUNT"), and " ms=MS", the milliseconds the poll took.
 *
 *   changes_poll MAP TIMEOUT_MS...
 */
#include <mapsync.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: changes_poll MAP TIMEOUT_MS...\n");
        return 1;
    }
    struct mapsync_map m;
    struct mapsync_cursor cursor;
    int rc = mapsync_open(&m, argv[1], 0);
    if (rc == 0) rc = mapsync_subscribe(&m, &cursor);
    if (rc != 0) {
        fprintf(stderr, "changes_poll: %s\n", m.error);
        return mapsync_exit_code(rc);
    }
    printf("subscribed\n");
    fflush(stdout);
    char line[16];
    for (int i = 2; i < argc; i++) {
        if (fgets(line, sizeof line, stdin) == NULL) return 1;
        long timeout_ms = strtol(argv[i], NULL, 10);
        struct mapsync_change changes[16];
        double start = now_ms();
        int n = mapsync_poll(&cursor, changes, 16, timeout_ms);
        double took = now_ms() - start;
        if (n < 0) {
            fprintf(stderr, "changes_poll: %s\n", m.error);
            return mapsync_exit_code(n);
        }
        printf("poll %ld:", timeout_ms);
        for (int c = 0; c < n; c++) {
            if (changes[c].kind == MAPSYNC_CHANGES_MISSED) {
                printf(" missed %llu+%llu", (unsigned long long)changes[c].seq, (unsigned long long)changes[c].count);
            } else {
                printf(" %u@%llu", changes[c].key, (unsigned long long)changes[c].seq);
            }
        }
        printf(" ms=%.0f\n", took);
        fflush(stdout);
    }
    mapsync_unsubscribe(&cursor);
    mapsync_close(&m);
    return 0;
}
