/*
 * wide_write: the C writer of WideValues: writes value n = {n, n, n, n, n, n, n, n} into entry n % ENTRIES for n = 1,
 * 2, 3, ... with mapsync_write (under the entry's lock, in its sequence window) until killed, storing after each write
 * the number of writes finished in value 0 of PROGRESS, an i64 array (a store costs nanoseconds, so the process is
 * almost always inside a write).
 *
 *   wide_write MAP ENTRIES PROGRESS
 */
#include <mapsync.h>

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: wide_write MAP ENTRIES PROGRESS\n");
        return 1;
    }
    uint32_t entries = (uint32_t)strtoul(argv[2], NULL, 10);
    struct mapsync_map m, progress;
    int rc = mapsync_open(&m, argv[1], 0);
    if (rc != 0 || (rc = mapsync_open(&progress, argv[3], 0)) != 0) {
        fprintf(stderr, "wide_write: %s\n", rc != 0 && m.error[0] ? m.error : progress.error);
        return mapsync_exit_code(rc);
    }
    int64_t *done = MAPSYNC_VALUE(&progress, int64_t, 0);
    for (int64_t n = 1; rc == 0; n++) {
        int64_t words[8] = {n, n, n, n, n, n, n, n};
        rc = mapsync_write(&m, (uint32_t)(n % entries), words, 10000);
        if (rc == 0) mapsync_store_release_i64(done, n);
    }
    fprintf(stderr, "wide_write: %s\n", m.error);
    return mapsync_exit_code(rc);
}
