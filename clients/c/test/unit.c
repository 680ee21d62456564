/*
 * unit: the library's own tests, without a JVM: a map made as Java makes one, opened, locked, written and read by
 * threads and by forked processes, some of which die holding locks or in the middle of a write. Prints one line per
 * check that failed and "N checks, F failed"; exits 1 if any failed.
 */
#include "testmap.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

static int checks, failed;

#define CHECK(cond) do { checks++; if (!(cond)) { failed++; printf("%s:%d: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECK_RC(call, want) do { int rc_ = (call); checks++; if (rc_ != (want)) { failed++; \
    printf("%s:%d: %s = %d (%s), expected %d\n", __FILE__, __LINE__, #call, rc_, strerror(-rc_), want); } } while (0)

struct account { int64_t id, balance, check; };
#define SCHEMA "id:i64,balance:i64,check:i64"
#define ACCOUNTS 4

static char dir[] = "/dev/shm/libmapsync-unit-XXXXXX";

static void fresh(const char *name) {
    CHECK(testmap_create(dir, name, SCHEMA, sizeof(struct account), ACCOUNTS) == 0);
}

static void test_open_refuses_a_corrupt_header(void) {
    fresh("corrupt");
    char path[4096];
    snprintf(path, sizeof path, "%s/corrupt", dir);
    int fd = open(path, O_RDWR);
    struct mapsync_header *h = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    struct mapsync_map m;
    CHECK_RC(mapsync_open(&m, "corrupt", 0), 0);
    CHECK(m.token != 0 && m.entries == ACCOUNTS && m.scalar_size == 0);
    mapsync_close(&m);
    h->stride = 16; /* not the value size rounded up to 8 */
    CHECK_RC(mapsync_open(&m, "corrupt", 0), -EBADMSG);
    CHECK(strstr(m.error, "stride 16") != NULL);
    h->stride = 24;
    h->lock_stripes = ACCOUNTS + 1;
    CHECK_RC(mapsync_open(&m, "corrupt", 0), -EBADMSG);
    h->lock_stripes = ACCOUNTS;
    h->map_type = 9;
    CHECK_RC(mapsync_open(&m, "corrupt", 0), -EBADMSG);
    h->map_type = MAPSYNC_TYPE_ARRAY;
    CHECK_RC(mapsync_open(&m, "none", 0), -ENOENT);
    munmap(h, 4096);
}

static void test_locks_refuse_reentry_and_foreign_unlocks(void) {
    fresh("reentry");
    struct mapsync_map m, ro;
    CHECK_RC(mapsync_open(&m, "reentry", 0), 0);
    CHECK_RC(mapsync_open(&ro, "reentry", MAPSYNC_READ_ONLY), 0);
    bool died = true;
    CHECK_RC(mapsync_lock(&m, 1, 100, &died), 0);
    CHECK(!died);
    CHECK(mapsync_holds(&m, 1) && !mapsync_holds(&m, 2));
    CHECK_RC(mapsync_lock(&m, 1, 100, NULL), -EDEADLK);
    uint32_t pair[] = {2, 1};
    CHECK_RC(mapsync_lock_many(&m, pair, 2, 100, NULL), -EDEADLK);
    CHECK(!mapsync_holds(&m, 2)); /* none is kept */
    CHECK_RC(mapsync_unlock(&m, 2), -ENOLCK);
    CHECK_RC(mapsync_lock(&ro, 1, 0, NULL), -EBADF);
    CHECK_RC(mapsync_lock(&m, ACCOUNTS, 0, NULL), -ERANGE);
    CHECK_RC(mapsync_unlock(&m, 1), 0);
    CHECK_RC(mapsync_lock_map(&m, 100, NULL), 0);
    CHECK_RC(mapsync_lock(&m, 1, 100, NULL), 0); /* the map-wide lock does not stop entry locks */
    CHECK_RC(mapsync_unlock(&m, 1), 0);
    CHECK_RC(mapsync_unlock_map(&m), 0);
    CHECK_RC(mapsync_unlock_map(&m), -ENOLCK);
    mapsync_close(&ro);
    mapsync_close(&m);
}

static void test_a_lock_held_by_a_live_process_times_out(void) {
    fresh("timeout");
    int ready[2];
    CHECK(pipe(ready) == 0);
    pid_t child = fork();
    if (child == 0) {
        struct mapsync_map c;
        if (mapsync_open(&c, "timeout", 0) != 0 || mapsync_lock(&c, 0, 1000, NULL) != 0) _exit(1);
        if (write(ready[1], "x", 1) != 1) _exit(1);
        pause();
        _exit(0);
    }
    char x;
    CHECK(read(ready[0], &x, 1) == 1);
    struct mapsync_map m;
    CHECK_RC(mapsync_open(&m, "timeout", 0), 0);
    CHECK_RC(mapsync_lock(&m, 0, 50, NULL), -ETIMEDOUT);
    char want[64];
    snprintf(want, sizeof want, "held by pid %d (alive) for at least", (int)child);
    CHECK(strstr(m.error, want) != NULL);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    bool died = false;
    CHECK_RC(mapsync_lock(&m, 0, 1000, &died), 0);
    CHECK(died);
    CHECK(m.locks[0].recovered == 1);
    CHECK_RC(mapsync_unlock(&m, 0), 0);
    CHECK(m.locks[0].recovered == 0 && m.locks[0].since_ms == 0 && m.locks[0].thread == 0 && m.locks[0].word == 0);
    mapsync_close(&m);
    close(ready[0]);
    close(ready[1]);
}

static void test_a_write_cut_short_leaves_only_its_entry_torn(void) {
    fresh("torn");
    struct mapsync_map m;
    CHECK_RC(mapsync_open(&m, "torn", 0), 0);
    struct account a = {1, 100, ~100};
    CHECK_RC(mapsync_write(&m, 1, &a, 100), 0);
    pid_t child = fork();
    if (child == 0) {
        struct mapsync_map c;
        if (mapsync_open(&c, "torn", 0) != 0 || mapsync_lock(&c, 1, 1000, NULL) != 0) _exit(1);
        /* the first half of a write: the odd window is open when the process dies */
        __atomic_store_n((uint64_t *)&c.locks[1].sequence, (uint64_t)2 << 32 | (c.locks[1].sequence + 1), __ATOMIC_RELEASE);
        _exit(0);
    }
    int status;
    waitpid(child, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    struct account out;
    CHECK_RC(mapsync_read(&m, 1, &out, 1000), -ENOTRECOVERABLE);
    bool died = false;
    CHECK_RC(mapsync_lock(&m, 1, 1000, &died), 0);
    CHECK(died && m.locks[1].torn[0] == 2 && m.locks[1].writing == MAPSYNC_ALL_TORN && (m.locks[1].sequence & 1) == 0);
    CHECK_RC(mapsync_read(&m, 1, &out, 1000), -ENOTRECOVERABLE);
    a.balance = 7;
    a.check = ~7;
    CHECK_RC(mapsync_write(&m, 1, &a, 1000), 0); /* under the lock this thread holds */
    CHECK_RC(mapsync_unlock(&m, 1), 0);
    CHECK_RC(mapsync_read(&m, 1, &out, 1000), 0);
    CHECK(out.balance == 7 && out.check == ~7 && m.locks[1].torn[0] == 0 && m.locks[1].writing == 0);
    mapsync_close(&m);
}

struct mover {
    long transfers;
    uint32_t from, to;
    long torn;
};

static void *move(void *arg) {
    struct mover *t = arg;
    struct mapsync_map m;
    if (mapsync_open(&m, "threads", 0) != 0) return NULL;
    uint32_t both[] = {t->from, t->to};
    for (long i = 0; i < t->transfers; i++) {
        struct account a, b;
        if (mapsync_lock_many(&m, both, 2, 10000, NULL) != 0) break;
        mapsync_read(&m, t->from, &a, 1000);
        mapsync_read(&m, t->to, &b, 1000);
        a.balance--, a.check = ~a.balance, b.balance++, b.check = ~b.balance;
        mapsync_write(&m, t->from, &a, 1000);
        mapsync_write(&m, t->to, &b, 1000);
        mapsync_unlock_many(&m, both, 2);
        struct account r;
        if (mapsync_read(&m, (uint32_t)i % ACCOUNTS, &r, 1000) != 0 || r.check != ~r.balance) t->torn++;
    }
    mapsync_close(&m);
    return NULL;
}

static void test_threads_and_handles_transfer_without_losing_a_unit(void) {
    fresh("threads");
    struct mapsync_map m;
    CHECK_RC(mapsync_open(&m, "threads", 0), 0);
    for (uint32_t i = 0; i < ACCOUNTS; i++) {
        struct account a = {i, 1000, ~1000};
        CHECK_RC(mapsync_write(&m, i, &a, 100), 0);
    }
    struct mapsync_cursor cursor;
    CHECK_RC(mapsync_subscribe(&m, &cursor), 0);
    struct mover movers[3] = {{20000, 0, 1, 0}, {20000, 1, 0, 0}, {20000, 3, 0, 0}};
    pthread_t threads[3];
    for (int i = 0; i < 3; i++) pthread_create(&threads[i], NULL, move, &movers[i]);
    for (int i = 0; i < 3; i++) pthread_join(threads[i], NULL);
    int64_t sum = 0, balances[ACCOUNTS];
    for (uint32_t i = 0; i < ACCOUNTS; i++) {
        struct account a;
        CHECK_RC(mapsync_read(&m, i, &a, 100), 0);
        balances[i] = a.balance;
        sum += a.balance;
    }
    CHECK(sum == 4000 && balances[0] == 1000 + 20000 && balances[1] == 1000 && balances[3] == 1000 - 20000);
    CHECK(movers[0].torn == 0 && movers[1].torn == 0 && movers[2].torn == 0);
    /* 120,000 writes into a log of 64: the cursor hears of every one, most as missed */
    struct mapsync_change changes[64];
    uint64_t heard = 0;
    for (int n; (n = mapsync_poll(&cursor, changes, 64, 0)) > 0;) {
        for (int i = 0; i < n; i++) heard += changes[i].count;
    }
    CHECK(heard == 120000);
    mapsync_unsubscribe(&cursor);
    mapsync_close(&m);
}

static void test_exported_atomics_add_swap_and_record_their_changes(void) {
    fresh("atomics");
    struct mapsync_map m, ro;
    CHECK_RC(mapsync_open(&m, "atomics", 0), 0);
    CHECK_RC(mapsync_open(&ro, "atomics", MAPSYNC_READ_ONLY), 0);
    struct mapsync_cursor cursor;
    CHECK_RC(mapsync_subscribe(&m, &cursor), 0);
    long balance = mapsync_field_offset(&m, "balance");
    CHECK(balance == 8);
    int64_t before = -1, seen = -1;
    CHECK_RC(mapsync_fetch_add(&m, 2, 8, 8, 5, &before), 0);
    CHECK(before == 0);
    CHECK_RC(mapsync_fetch_add(&m, 2, 8, 8, -7, &before), 0);
    CHECK(before == 5 && *MAPSYNC_FIELD(&m, int64_t, 2, 8) == -2);
    CHECK_RC(mapsync_fetch_add(&m, 2, 0, 4, -1, &before), 0); /* the low half of id, as an i32 */
    CHECK(before == 0 && MAPSYNC_VALUE(&m, struct account, 2)->id == 0xFFFFFFFF);
    CHECK_RC(mapsync_compare_and_set(&m, 2, 8, 8, 1, 9, &seen), 0);
    CHECK(seen == -2 && MAPSYNC_VALUE(&m, struct account, 2)->balance == -2); /* not swapped: what it held */
    CHECK_RC(mapsync_compare_and_set(&m, 2, 8, 8, -2, 9, &seen), 0);
    CHECK(seen == -2 && MAPSYNC_VALUE(&m, struct account, 2)->balance == 9);
    CHECK_RC(mapsync_compare_and_set(&m, 2, 0, 4, 7, 1, &seen), 0);
    CHECK(seen == -1);
    CHECK_RC(mapsync_fetch_add(&m, ACCOUNTS, 0, 8, 1, NULL), -ERANGE);
    CHECK_RC(mapsync_fetch_add(&m, 0, 4, 8, 1, NULL), -EINVAL);
    CHECK_RC(mapsync_fetch_add(&m, 0, 24, 8, 1, NULL), -EINVAL);
    CHECK_RC(mapsync_fetch_add(&m, 0, 0, 2, 1, NULL), -EINVAL);
    CHECK_RC(mapsync_compare_and_set(&ro, 0, 0, 8, 0, 1, NULL), -EBADF);
    struct mapsync_change changes[8];
    int n = mapsync_poll(&cursor, changes, 8, 0);
    CHECK(n == 4); /* three adds and one swap; the refused swaps change nothing */
    for (int i = 0; i < n; i++) CHECK(changes[i].key == 2 && changes[i].kind == MAPSYNC_CHANGE_ATOMIC);
    mapsync_unsubscribe(&cursor);
    mapsync_close(&ro);
    mapsync_close(&m);
}

int main(void) {
    if (mkdtemp(dir) == NULL) return 2;
    setenv(MAPSYNC_DIR_ENV, dir, 1);
    test_open_refuses_a_corrupt_header();
    test_locks_refuse_reentry_and_foreign_unlocks();
    test_a_lock_held_by_a_live_process_times_out();
    test_a_write_cut_short_leaves_only_its_entry_torn();
    test_threads_and_handles_transfer_without_losing_a_unit();
    test_exported_atomics_add_swap_and_record_their_changes();
    char command[4200];
    snprintf(command, sizeof command, "rm -rf %s", dir);
    if (system(command) != 0) printf("could not remove %s\n", dir);
    printf("%d checks, %d failed\n", checks, failed);
    return failed == 0 ? 0 : 1;
}
