/*
 * transfer: moves 1 from entry FROM to entry TO, COUNT times, each time under the locks of both entries (taken
 * together, in ascending order, as Java's lockAll takes them), each record written consistently, so that it can run
 * beside Java processes doing the same and no unit is ever lost or seen half-moved.
 *
 *   transfer MAP FROM TO COUNT [--hold]
 *
 * MAP holds i64 values (each value is a balance) or records with an i64 field `balance`; a record's i64 field
 * `check`, if it has one, is kept at ~balance, so that a reader can tell a record read half-written. With --hold, it
 * takes both locks, prints "locked" and holds them until it is killed. A lock taken over from an owner that died
 * prints "previous owner died" first. Then it prints "transferred COUNT from FROM to TO". Exit codes are those of
 * the mapsync command.
 */
#include <mapsync.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TIMEOUT_MS 10000

static int usage(void) {
    fprintf(stderr, "usage: transfer MAP FROM TO COUNT [--hold]\n");
    return 1;
}

static int fail(struct mapsync_map *m, int rc) {
    fprintf(stderr, "transfer: %s\n", m->error);
    mapsync_close(m);
    return mapsync_exit_code(rc);
}

/* Adds `delta` to the balance of the record in `value`, keeping its check field if it has one. */
static void add(uint8_t *value, long balance, long check, int64_t delta) {
    int64_t b;
    memcpy(&b, value + balance, 8);
    b += delta;
    memcpy(value + balance, &b, 8);
    if (check >= 0) {
        int64_t c = ~b;
        memcpy(value + check, &c, 8);
    }
}

int main(int argc, char **argv) {
    if (argc != 5 && !(argc == 6 && strcmp(argv[5], "--hold") == 0)) return usage();
    char *end;
    unsigned long from = strtoul(argv[2], &end, 10), to, count;
    if (*end != '\0') return usage();
    to = strtoul(argv[3], &end, 10);
    if (*end != '\0') return usage();
    count = strtoul(argv[4], &end, 10);
    if (*end != '\0' || from == to || from > UINT32_MAX || to > UINT32_MAX) return usage();
    bool hold = argc == 6;

    struct mapsync_map m;
    int rc = mapsync_open(&m, argv[1], 0);
    if (rc != 0) {
        fprintf(stderr, "transfer: %s\n", m.error);
        return mapsync_exit_code(rc);
    }
    long balance = strcmp(m.value_schema, "i64") == 0 ? 0 : mapsync_field_offset(&m, "balance");
    long check = balance == 0 && m.value_size == 8 ? -1 : mapsync_field_offset(&m, "check");
    if (m.map_type != MAPSYNC_TYPE_ARRAY || balance < 0) {
        fprintf(stderr, "transfer: map %s holds %s, neither i64 values nor records with a balance\n", argv[1], m.value_schema);
        mapsync_close(&m);
        return 3;
    }
    uint8_t *a = malloc(m.value_size), *b = malloc(m.value_size);
    uint32_t both[2] = {(uint32_t)from, (uint32_t)to};
    for (unsigned long i = 0; i < count || hold; i++) {
        bool died;
        rc = mapsync_lock_many(&m, both, 2, TIMEOUT_MS, &died);
        if (rc != 0) return fail(&m, rc);
        if (died) printf("previous owner died\n");
        if (hold) {
            printf("locked\n");
            fflush(stdout);
            for (;;) pause();
        }
        /* an entry a dead writer left half-written cannot be read (-ENOTRECOVERABLE): its balance is unknown */
        if ((rc = mapsync_read(&m, both[0], a, TIMEOUT_MS)) != 0 || (rc = mapsync_read(&m, both[1], b, TIMEOUT_MS)) != 0) {
            return fail(&m, rc);
        }
        add(a, balance, check, -1);
        add(b, balance, check, 1);
        if ((rc = mapsync_write(&m, both[0], a, TIMEOUT_MS)) != 0 || (rc = mapsync_write(&m, both[1], b, TIMEOUT_MS)) != 0) {
            return fail(&m, rc);
        }
        rc = mapsync_unlock_many(&m, both, 2);
        if (rc != 0) return fail(&m, rc);
    }
    printf("transferred %lu from %lu to %lu\n", count, from, to);
    free(a);
    free(b);
    mapsync_close(&m);
    return 0;
}
