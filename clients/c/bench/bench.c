/*
 * bench: what libmapsync's operations cost on this machine, one thread, no contention: an entry lock and unlock, a
 * consistent read of a 3-field record, a consistent write of one under its lock, and a fetch_add; built with libbpf
 * (WITH_LIBBPF=1), also a get and a put of such a record in a bpf hash map (a kernel BPF_MAP_TYPE_HASH, each a
 * bpf(2) call), N / 10 of them. Makes its own maps in /dev/shm (and bpffs) and removes them. Each figure is the best
 * of 5 runs of N operations.
 *
 *   bench [N]        prints one line per operation: "NAME  NS ns/op"
 */
#include "../test/testmap.h"

#include <time.h>

#ifdef MAPSYNC_WITH_LIBBPF
#include "../test/bpfmap.h"

#include <bpf/bpf.h>
#include <errno.h>
#endif

struct account { int64_t id, balance, check; };

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static volatile int64_t sink;

static double run(struct mapsync_map *m, int op, long n) {
    double best = 1e18;
    uint64_t key = 1;
    for (int round = 0; round < 5; round++) {
        uint64_t start = now_ns();
        struct account a;
        for (long i = 0; i < n; i++) {
            switch (op) {
            case 0: mapsync_lock(m, 1, 1000, NULL); mapsync_unlock(m, 1); break;
            case 1: mapsync_read(m, 1, &a, 1000); sink += a.balance; break;
            case 2: a.id = 1, a.balance = i, a.check = ~i; mapsync_write(m, 1, &a, 1000); break;
            case 3: mapsync_fetch_add_i64(MAPSYNC_FIELD(m, int64_t, 2, 8), 1); break;
            case 4: mapsync_hash_get(m, &key, &a, 1000); sink += a.balance; break;
            default: a.id = 1, a.balance = i, a.check = ~i; mapsync_hash_put(m, &key, &a, 1000); break;
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
#ifdef MAPSYNC_WITH_LIBBPF
    /* a kernel hash map pinned in bpffs, with the sidecar the Java library would make for it */
    char name[64], pin[128];
    snprintf(name, sizeof name, "bench_hash_%d", (int)getpid());
    snprintf(pin, sizeof pin, "/sys/fs/bpf/%s", name);
    int fd = bpf_map_create(BPF_MAP_TYPE_HASH, name, 8, sizeof(struct account), 64, NULL);
    if (fd < 0 || bpf_obj_pin(fd, pin) != 0) {
        printf("(no bpf hash map figures: the kernel refuses to make a bpf map here: %s)\n", strerror(errno));
    } else {
        struct bpfmap b = {.map_type = MAPSYNC_TYPE_HASH, .kernel_type = BPF_MAP_TYPE_HASH, .access = 1, .pin = pin,
                           .key_schema = "u64", .value_schema = "id:i64,balance:i64,check:i64", .key_size = 8,
                           .value_size = sizeof(struct account), .entries = 64, .stripes = 1};
        struct account a = {1, 100, ~100};
        uint64_t key = 1;
        if (bpfmap_sidecar(dir, name, &b) != 0 || mapsync_open(&m, name, 0) != 0 || mapsync_hash_put(&m, &key, &a, 1000) != 0) {
            fprintf(stderr, "bench: bpf hash map: %s\n", m.error);
        } else {
            printf("%-34s %6.1f ns/op\n", "bpf hash get, 3-field record", run(&m, 4, n / 10));
            printf("%-34s %6.1f ns/op\n", "bpf hash put, 3-field record", run(&m, 5, n / 10));
            mapsync_close(&m);
        }
        unlink(pin);
    }
    if (fd >= 0) close(fd);
#endif
    char command[200];
    snprintf(command, sizeof command, "rm -rf %s", dir);
    return system(command) == 0 ? 0 : 1;
}
