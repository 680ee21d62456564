/*
 * hash_locks: key locks, the consistent multi-key read and field adds of shm hash maps, without a JVM: a holder's
 * own puts and adds run under its held locks while another thread waits; a record moved between two keys under both
 * locks is seen exactly once by readers using mapsync_hash_get_all; adds from several threads sum exactly.
 */
#include <mapsync.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int checks, failed;

#define CHECK(cond) do { __atomic_add_fetch(&checks, 1, __ATOMIC_RELAXED); if (!(cond)) { \
    __atomic_add_fetch(&failed, 1, __ATOMIC_RELAXED); printf("%s:%d: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECK_RC(call, want) do { int rc_ = (call); checks++; if (rc_ != (want)) { failed++; \
    printf("%s:%d: %s = %d (%s), expected %d\n", __FILE__, __LINE__, #call, rc_, strerror(-rc_), want); } } while (0)

static char dir[] = "/dev/shm/libmapsync-hashlocks-XXXXXX";
struct record { int64_t amount; int32_t small; int32_t pad; };

static struct mapsync_map map;
static const uint64_t pair[2] = {11, 12};
static volatile int stop;
static long moved, seen_twice, seen_never;

/* Moves the record from whichever key has it to the other, under both keys' locks. */
static void *mover(void *arg) {
    (void)arg;
    for (int i = 0; i < 2000; i++) {
        bool died;
        if (mapsync_hash_lock_keys(&map, pair, 2, 5000, &died) != 0) { CHECK(0); break; }
        bool at0 = mapsync_hash_get(&map, &pair[0], NULL, 0) == 0;
        struct record r = {7, 0, 0};
        CHECK(mapsync_hash_put(&map, &pair[at0 ? 1 : 0], &r, 0) == 0);
        CHECK(mapsync_hash_remove(&map, &pair[at0 ? 0 : 1], 0) == 0);
        CHECK(mapsync_hash_unlock_keys(&map, pair, 2) == 0);
        moved++;
    }
    stop = 1;
    return NULL;
}

static void *checker(void *arg) {
    (void)arg;
    while (!stop) {
        bool found[2];
        struct record values[2];
        if (mapsync_hash_get_all(&map, pair, 2, values, found, 5000) != 0) { CHECK(0); break; }
        if (found[0] && found[1]) __atomic_add_fetch(&seen_twice, 1, __ATOMIC_RELAXED);
        if (!found[0] && !found[1]) __atomic_add_fetch(&seen_never, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

/* Another thread's put of a key whose lock is held: refused once its zero timeout passes. */
static void *intruder(void *arg) {
    uint64_t key = 1;
    struct record r = {0, 0, 0};
    *(int *)arg = mapsync_hash_put(&map, &key, &r, 0);
    return NULL;
}

static void *adder(void *arg) {
    uint64_t key = 21;
    for (int i = 0; i < 10000; i++) CHECK(mapsync_hash_add(&map, &key, 0, 8, (intptr_t)arg, NULL, 5000) == 0);
    return NULL;
}

static void test_a_held_key_lock_covers_the_holders_writes_and_stops_others(void) {
    uint64_t key = 1;
    struct record r = {5, 0, 0};
    bool died = true;
    CHECK_RC(mapsync_hash_lock_keys(&map, &key, 1, 1000, &died), 0);
    CHECK(!died);
    CHECK_RC(mapsync_hash_put(&map, &key, &r, 0), 0); /* under the held lock: taking it again would fail */
    int64_t before = -1;
    CHECK_RC(mapsync_hash_add(&map, &key, 0, 8, 3, &before, 0), 0);
    CHECK(before == 5);
    CHECK_RC(mapsync_hash_lock_keys(&map, &key, 1, 0, NULL), -EDEADLK);
    int other = 0;
    pthread_t t;
    pthread_create(&t, NULL, intruder, &other);
    pthread_join(t, NULL);
    CHECK(other == -ETIMEDOUT);
    CHECK_RC(mapsync_hash_unlock_keys(&map, &key, 1), 0);
    CHECK_RC(mapsync_hash_unlock_keys(&map, &key, 1), -ENOLCK);
    struct record got;
    CHECK_RC(mapsync_hash_get(&map, &key, &got, 0), 0);
    CHECK(got.amount == 8);
}

static void test_add_inserts_an_absent_key_and_wraps_small_fields(void) {
    uint64_t key = 2;
    int64_t before = -1;
    struct mapsync_cursor cursor;
    CHECK_RC(mapsync_subscribe(&map, &cursor), 0);
    CHECK_RC(mapsync_hash_add(&map, &key, 8, 4, 2147483647, &before, 1000), 0);
    CHECK(before == 0);
    struct mapsync_change changes[2];
    uint64_t changed[2] = {0, 0};
    CHECK_RC(mapsync_poll_keyed(&cursor, changes, changed, 2, 1000), 1); /* recorded as an atomic change, with its key */
    CHECK(changes[0].kind == MAPSYNC_CHANGE_ATOMIC && changed[0] == key);
    mapsync_unsubscribe(&cursor);
    CHECK_RC(mapsync_hash_add(&map, &key, 8, 4, 1, &before, 1000), 0);
    CHECK(before == 2147483647);
    struct record got;
    CHECK_RC(mapsync_hash_get(&map, &key, &got, 0), 0);
    CHECK(got.amount == 0 && got.small == INT32_MIN);
    CHECK_RC(mapsync_hash_add(&map, &key, 12, 8, 1, NULL, 1000), -EINVAL);
    CHECK_RC(mapsync_hash_add(&map, &key, 0, 3, 1, NULL, 1000), -EINVAL);
}

static void test_get_all_reports_absent_keys_and_uses_held_locks(void) {
    uint64_t keys[2] = {1, 999};
    struct record values[2];
    bool found[2] = {false, true};
    CHECK_RC(mapsync_hash_get_all(&map, keys, 2, values, found, 1000), 0);
    CHECK(found[0] && !found[1] && values[0].amount == 8 && values[1].amount == 0);
    CHECK_RC(mapsync_hash_lock_keys(&map, keys, 2, 1000, NULL), 0);
    CHECK_RC(mapsync_hash_get_all(&map, keys, 2, values, found, 0), 0);
    CHECK(found[0] && !found[1]);
    CHECK_RC(mapsync_hash_unlock_keys(&map, keys, 2), 0);
    CHECK_RC(mapsync_hash_get_all(&map, keys, 0, values, found, 0), -EINVAL);
}

static void test_a_record_moved_under_both_locks_is_seen_exactly_once(void) {
    struct record r = {7, 0, 0};
    CHECK_RC(mapsync_hash_put(&map, &pair[0], &r, 1000), 0);
    pthread_t threads[3];
    pthread_create(&threads[0], NULL, mover, NULL);
    pthread_create(&threads[1], NULL, checker, NULL);
    pthread_create(&threads[2], NULL, checker, NULL);
    for (int i = 0; i < 3; i++) pthread_join(threads[i], NULL);
    CHECK(moved == 2000 && seen_twice == 0 && seen_never == 0);
}

static void test_adds_from_several_threads_sum_exactly(void) {
    pthread_t threads[4];
    for (intptr_t i = 0; i < 4; i++) pthread_create(&threads[i], NULL, adder, (void *)(i + 1));
    for (int i = 0; i < 4; i++) pthread_join(threads[i], NULL);
    uint64_t key = 21;
    struct record got;
    CHECK_RC(mapsync_hash_get(&map, &key, &got, 0), 0);
    CHECK(got.amount == 10000 * (1 + 2 + 3 + 4));
}

int main(void) {
    if (mkdtemp(dir) == NULL) return 2;
    setenv(MAPSYNC_DIR_ENV, dir, 1);
    struct mapsync_create_spec spec = {.map_type = MAPSYNC_TYPE_HASH, .key_schema = "u64",
                                       .value_schema = "amount:i64,small:i32,pad:i32", .entries = 256};
    int rc = mapsync_create(&map, "accounts", &spec);
    if (rc != 0) {
        printf("mapsync_create: %s\n", map.error);
        return 1;
    }
    test_a_held_key_lock_covers_the_holders_writes_and_stops_others();
    test_add_inserts_an_absent_key_and_wraps_small_fields();
    test_get_all_reports_absent_keys_and_uses_held_locks();
    test_a_record_moved_under_both_locks_is_seen_exactly_once();
    test_adds_from_several_threads_sum_exactly();
    mapsync_close(&map);
    char command[4200];
    snprintf(command, sizeof command, "rm -rf %s", dir);
    if (system(command) != 0) printf("could not remove %s\n", dir);
    printf("%d checks, %d failed\n", checks, failed);
    return failed == 0 ? 0 : 1;
}
