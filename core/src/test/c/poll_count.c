/*
 * poll_count: subscribes to an array's changes, prints "subscribed", then polls with a timeout of 0 (never waiting)
 * until TOTAL changes were handed out or counted missed, and prints "delivered=D missed=M".
 *
 *   poll_count MAP TOTAL
 */
#include <mapsync.h>

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: poll_count MAP TOTAL\n");
        return 1;
    }
    long total = strtol(argv[2], NULL, 10), delivered = 0, missed = 0;
    struct mapsync_map m;
    struct mapsync_cursor cursor;
    int rc = mapsync_open(&m, argv[1], 0);
    if (rc == 0) rc = mapsync_subscribe(&m, &cursor);
    if (rc == 0) printf("subscribed\n"), fflush(stdout);
    struct mapsync_change changes[64];
    while (rc == 0 && delivered + missed < total) {
        int n = mapsync_poll(&cursor, changes, 64, 0);
        if (n < 0) rc = n;
        for (int i = 0; i < n; i++) {
            if (changes[i].kind == MAPSYNC_CHANGES_MISSED) missed += (long)changes[i].count;
            else delivered++;
        }
    }
    if (rc != 0) {
        fprintf(stderr, "poll_count: %s\n", m.error);
        return mapsync_exit_code(rc);
    }
    printf("delivered=%ld missed=%ld\n", delivered, missed);
    mapsync_unsubscribe(&cursor);
    mapsync_close(&m);
    return 0;
}
