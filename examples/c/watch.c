/*
 * watch: prints the changes every process records in a map (FORMAT.md §4.3), as Java's ChangeCursor hands them
 * out, until COUNT have been printed (missed ones included) or none came for the timeout.
 *
 *   watch MAP COUNT [--timeout-ms MS]
 *
 * Prints "subscribed" once it is, then one line per change, "change SEQ KEY KIND PID" (KIND: write, atomic or
 * remove), or "missed FROM COUNT" for changes the log lost before they were read. Exits 0 after COUNT changes,
 * 124 if none came for MS milliseconds (default 10000). Other exit codes are those of the mapsync command.
 */
#include <mapsync.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc != 3 && !(argc == 5 && strcmp(argv[3], "--timeout-ms") == 0)) {
        fprintf(stderr, "usage: watch MAP COUNT [--timeout-ms MS]\n");
        return 1;
    }
    unsigned long long count = strtoull(argv[2], NULL, 10);
    long timeout_ms = argc == 5 ? strtol(argv[4], NULL, 10) : 10000;
    struct mapsync_map m;
    struct mapsync_cursor cursor;
    int rc = mapsync_open(&m, argv[1], 0);
    if (rc == 0) rc = mapsync_subscribe(&m, &cursor);
    if (rc != 0) {
        fprintf(stderr, "watch: %s\n", m.error);
        mapsync_close(&m);
        return mapsync_exit_code(rc);
    }
    printf("subscribed\n");
    fflush(stdout);
    static const char *kinds[] = {"missed", "write", "atomic", "remove"};
    struct mapsync_change changes[64];
    unsigned long long seen = 0;
    while (seen < count) {
        int n = mapsync_poll(&cursor, changes, 64, timeout_ms);
        if (n <= 0) {
            if (n < 0) fprintf(stderr, "watch: %s\n", m.error);
            else fprintf(stderr, "watch: no change for %ld ms after %llu\n", timeout_ms, seen);
            mapsync_unsubscribe(&cursor);
            mapsync_close(&m);
            return n < 0 ? mapsync_exit_code(n) : 124;
        }
        for (int i = 0; i < n; i++) {
            struct mapsync_change *c = &changes[i];
            if (c->kind == MAPSYNC_CHANGES_MISSED) printf("missed %llu %llu\n", (unsigned long long)c->seq, (unsigned long long)c->count);
            else printf("change %llu %u %s %u\n", (unsigned long long)c->seq, c->key, c->kind < 4 ? kinds[c->kind] : "?", c->pid);
            seen += c->count;
        }
        fflush(stdout);
    }
    mapsync_unsubscribe(&cursor);
    mapsync_close(&m);
    return 0;
}
