/*
 * create_maps: the C side of CCreateInteropTest. Creates, in $MAPSYNC_DIR, PREFIX-array (8 values of "i64", value i
 * set to 10 * i + 1), PREFIX-hash ("u64" keys to "i64" values, capacity 100; key 7 put to 70), PREFIX-queue (a queue of
 * "u64" in a 4096-byte ring; the values 1, 2, 3 produced) and PREFIX-barrier (2 parties), prints "made", awaits the
 * barrier (60 s) and prints "tripped G", or the error.
 *
 *   create_maps PREFIX
 */
#include <mapsync.h>

#include <stdio.h>
#include <string.h>

static int fail(const struct mapsync_map *m, int rc) {
    printf("failed: %s\n", m->error);
    return mapsync_exit_code(rc);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: create_maps PREFIX\n");
        return 1;
    }
    char name[200];
    struct mapsync_map array, hash, queue, barrier;
    snprintf(name, sizeof name, "%s-array", argv[1]);
    struct mapsync_create_spec a = {.map_type = MAPSYNC_TYPE_ARRAY, .value_schema = "i64", .entries = 8};
    int rc = mapsync_create(&array, name, &a);
    if (rc != 0) return fail(&array, rc);
    for (uint32_t i = 0; i < 8; i++) *MAPSYNC_VALUE(&array, int64_t, i) = 10 * (int64_t)i + 1;

    snprintf(name, sizeof name, "%s-hash", argv[1]);
    struct mapsync_create_spec h = {.map_type = MAPSYNC_TYPE_HASH, .key_schema = "u64", .value_schema = "i64",
                                    .entries = 100};
    rc = mapsync_create(&hash, name, &h);
    if (rc != 0) return fail(&hash, rc);
    uint64_t key = 7;
    int64_t value = 70;
    rc = mapsync_hash_put(&hash, &key, &value, 1000);
    if (rc != 0) return fail(&hash, rc);

    snprintf(name, sizeof name, "%s-queue", argv[1]);
    struct mapsync_create_spec q = {.map_type = MAPSYNC_TYPE_RING, .value_schema = "u64", .entries = 4096};
    rc = mapsync_create(&queue, name, &q);
    if (rc != 0) return fail(&queue, rc);
    for (uint64_t v = 1; v <= 3; v++) {
        struct mapsync_claim claim;
        rc = mapsync_ring_claim(&queue, 8, 1000, &claim);
        if (rc != 0) return fail(&queue, rc);
        memcpy(claim.payload, &v, 8);
        rc = mapsync_ring_commit(&queue, &claim);
        if (rc != 0) return fail(&queue, rc);
    }

    snprintf(name, sizeof name, "%s-barrier", argv[1]);
    struct mapsync_create_spec b = {.map_type = MAPSYNC_TYPE_BARRIER, .entries = 2};
    rc = mapsync_create(&barrier, name, &b);
    if (rc != 0) return fail(&barrier, rc);
    printf("made\n");
    fflush(stdout);
    uint64_t generation = 0;
    rc = mapsync_barrier_await(&barrier, 60000, &generation);
    if (rc != 0) return fail(&barrier, rc);
    printf("tripped %llu\n", (unsigned long long)generation);
    mapsync_close(&barrier);
    mapsync_close(&queue);
    mapsync_close(&hash);
    mapsync_close(&array);
    return 0;
}
