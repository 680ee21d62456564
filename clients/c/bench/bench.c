/*
 * bench: what libmapsync's operations cost on this machine, one thread, no contention: an entry lock and unlock, a
 * consistent read of a 3-field record, a consistent write of one under its lock, and a fetch_add. Makes its own
 * map in /dev/shm and removes it. Each figure is the best of 5 runs of N operations.
 *
 *   bench [N]        prints one line per operation: "NAME  NS ns/op"
 */
#include "../test/testmap.h"

#include <time.h>

struct account { int64_t id, balance, check; };

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static volatile int64_t sink;

static double run(struct mapsync_map *m, int op, long n) {
    double best = 1e18;
    for (int round = 0; round < 5; round++) {
        uint64_t start = now_ns();
        struct account a;
        for (long i = 0; i < n; i++) {
            switch (op) {
            case 0: mapsync_lock(m, 1, 1000, NULL); mapsync_unlock(m, 1); break;
            case 1: mapsync_read(m, 1, &a, 1000); sink += a.balance; break;
            case 2: a.id = 1, a.balance = i, a.check = ~i; mapsync_write(m, 1, &a, 1000); break;
            default: mapsync_fetch_add_i64(MAPSYNC_FIELD(m, int64_t, 2, 8), 1); break;
            }
        }
        double ns = (double)(now_ns() - start) / n;
        if (ns < best) best = ns;
    }
    return best;
}

int main(int argc, char **argv) {
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 2000000;
    char dir[] = "/dev/shm/libmapsync-bench-XXXXXX";
    if (mkdtemp(dir) == NULL || testmap_create(dir, "bench", "id:i64,balance:i64,check:i64", 24, 4) != 0) return 2;
    setenv(MAPSYNC_DIR_ENV, dir, 1);
    struct mapsync_map m;
    if (mapsync_open(&m, "bench", 0) != 0) {
        fprintf(stderr, "bench: %s\n", m.error);
        return 2;
    }
    static const char *names[] = {"lock+unlock (uncontended)", "consistent read, 3-field record",
                                  "consistent write, 3-field record", "fetch_add i64"};
    for (int op = 0; op < 4; op++) printf("%-34s %6.1f ns/op\n", names[op], run(&m, op, n));
    mapsync_close(&m);
    char command[200];
    snprintf(command, sizeof command, "rm -rf %s", dir);
    return system(command) == 0 ? 0 : 1;
}
