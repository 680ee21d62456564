/*
 * read_entry: reads entry INDEX of an array map with mapsync_read, waiting up to TIMEOUT_MS (any long, negative
 * too) for a write in progress, and prints "read" and the value's first 8 bytes as an i64, or the error.
 *
 *   read_entry MAP INDEX TIMEOUT_MS
 */
#include <mapsync.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: read_entry MAP INDEX TIMEOUT_MS\n");
        return 1;
    }
    struct mapsync_map m;
    int rc = mapsync_open(&m, argv[1], MAPSYNC_READ_ONLY);
    uint8_t value[4096];
    if (rc == 0 && m.value_size > sizeof value) rc = -1;
    if (rc == 0) rc = mapsync_read(&m, (uint32_t)strtoul(argv[2], NULL, 10), value, strtol(argv[3], NULL, 10));
    if (rc != 0) {
        fprintf(stderr, "read_entry: %s\n", rc == -1 ? "value too wide" : m.error);
        return rc == -1 ? 1 : mapsync_exit_code(rc);
    }
    int64_t first;
    memcpy(&first, value, sizeof first);
    printf("read %" PRId64 "\n", first);
    mapsync_close(&m);
    return 0;
}
