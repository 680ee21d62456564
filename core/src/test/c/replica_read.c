/*
 * replica_read: what a C program gets from a read replica: a read-write open refused (EROFS, saying why), a
 * read-only open that reads.
 *
 *   replica_read MAP INDEX     prints "rw: <errno> (exit <the command's exit code for it>) <message>" and
 *                              "ro: <value of INDEX as i64>"
 */
#include <mapsync.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: replica_read MAP INDEX\n");
        return 1;
    }
    struct mapsync_map m;
    int rc = mapsync_open(&m, argv[1], 0);
    printf("rw: %d (exit %d) %s\n", -rc, mapsync_exit_code(rc), rc == 0 ? "opened" : m.error);
    if (rc == 0) mapsync_close(&m);
    rc = mapsync_open(&m, argv[1], MAPSYNC_READ_ONLY);
    if (rc != 0) {
        fprintf(stderr, "replica_read: %s\n", m.error);
        return mapsync_exit_code(rc);
    }
    int64_t value;
    rc = mapsync_read(&m, (uint32_t) strtoul(argv[2], NULL, 10), &value, 1000);
    if (rc != 0) {
        fprintf(stderr, "replica_read: %s\n", m.error);
        return mapsync_exit_code(rc);
    }
    printf("ro: %" PRId64 "\n", value);
    mapsync_close(&m);
    return 0;
}
