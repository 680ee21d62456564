/*
 * lock_write: takes the lock of an entry of an array map, prints "locked" (and "previous owner died" when it took the
 * lock over), waits for a line on stdin (or its end), then writes zeros into the entry under that lock, prints "wrote",
 * and unlocks. For tests that change the lock record while a C process holds the lock, or that look at what a C
 * takeover left.
 *
 *   lock_write MAP INDEX
 */
#include <mapsync.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: lock_write MAP INDEX\n");
        return 1;
    }
    uint32_t index = (uint32_t)strtoul(argv[2], NULL, 10);
    struct mapsync_map m;
    bool died = false;
    int rc = mapsync_open(&m, argv[1], 0);
    if (rc == 0) rc = mapsync_lock(&m, index, 10000, &died);
    if (rc != 0) {
        fprintf(stderr, "lock_write: %s\n", m.error);
        return mapsync_exit_code(rc);
    }
    printf("locked\n%s", died ? "previous owner died\n" : "");
    fflush(stdout);
    char line[16];
    if (fgets(line, sizeof line, stdin) == NULL) line[0] = 0;
    void *zeros = calloc(1, m.value_size);
    rc = zeros == NULL ? -12 : mapsync_write(&m, index, zeros, 10000);
    free(zeros);
    if (rc == 0) printf("wrote\n");
    else fprintf(stderr, "lock_write: %s\n", m.error);
    mapsync_unlock(&m, index);
    mapsync_close(&m);
    return mapsync_exit_code(rc);
}
