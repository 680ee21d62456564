/*
 * bpf: libmapsync's bpf hash maps and kernel rings (FORMAT.md §8, §10.8) against real kernel maps, without a JVM:
 * each test makes its kernel map with libbpf, pins it, and writes its sidecar as the Java library does. A kernel
 * hash map, plain and with a bpf_spin_lock before each value (described by BTF made here); a ringbuf filled by a tiny
 * BPF program run with BPF_PROG_TEST_RUN and read by the consumer; a user ring filled by claims; per-CPU arrays and
 * hash maps, each CPU's value set by a BPF program run on chosen CPUs or by bpf(2), read per CPU and summed. Prints one line per
 * failed check and "N checks, F failed"; skips (exit 0, saying why) where the kernel refuses to make bpf maps.
 */
#include "bpfmap.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <pthread.h>
#include <stdlib.h>

#ifndef BPF_MAP_TYPE_USER_RINGBUF
#define BPF_MAP_TYPE_USER_RINGBUF 31
#endif

static int checks, failed;

#define CHECK(cond) do { checks++; if (!(cond)) { failed++; printf("%s:%d: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECK_RC(call, want) do { int rc_ = (call); checks++; if (rc_ != (want)) { failed++; \
    printf("%s:%d: %s = %d (%s), expected %d\n", __FILE__, __LINE__, #call, rc_, strerror(-rc_), want); } } while (0)

static char dir[] = "/dev/shm/libmapsync-bpf-XXXXXX";
static char pins[64][128];
static int npins;

/* Pins the kernel map `fd` at a fresh path in bpffs (named as its sidecar will be) and makes the sidecar. */
static void publish(int fd, const char *name, struct bpfmap *b) {
    char *pin = pins[npins++];
    snprintf(pin, sizeof pins[0], "/sys/fs/bpf/%s", name);
    unlink(pin);
    CHECK(bpf_obj_pin(fd, pin) == 0);
    close(fd);
    b->pin = pin;
    CHECK(bpfmap_sidecar(dir, name, b) == 0);
}

static void name_of(char *out, size_t size, const char *what) {
    snprintf(out, size, "msct%d%s", (int)getpid(), what);
}

/* ------------------------------------------------------------------------------------------------ hash maps */


struct hits { int64_t user; uint16_t hits; uint8_t flags; }; /* "user:i64,hits:u16,flags:u8": 16 bytes */

static void test_a_kernel_hash_map(void) {
    char name[64];
    name_of(name, sizeof name, "h");
    int fd = bpf_map_create(BPF_MAP_TYPE_HASH, name, 8, sizeof(struct hits), 20, NULL);
    CHECK(fd >= 0);
    struct bpfmap b = {.map_type = MAPSYNC_TYPE_HASH, .kernel_type = BPF_MAP_TYPE_HASH, .access = 1,
                       .key_schema = "u64", .value_schema = "user:i64,hits:u16,flags:u8", .key_size = 8,
                       .value_size = sizeof(struct hits), .entries = 20, .stripes = 4};
    publish(fd, name, &b);
    struct mapsync_map m, ro;
    CHECK_RC(mapsync_open(&m, name, 0), 0);
    CHECK(m.backend == MAPSYNC_BACKEND_BPF && m.hash.kernel_value_size == 16 && m.hash.kernel_value_offset == 0);
    struct mapsync_cursor cursor;
    CHECK_RC(mapsync_subscribe(&m, &cursor), 0);
    uint64_t key = 7;
    struct hits v = {.user = 42, .hits = 65535, .flags = 255}, out;
    CHECK_RC(mapsync_hash_get(&m, &key, &out, 1000), -ENOENT);
    CHECK(strstr(m.error, "no such key") != NULL);
    CHECK_RC(mapsync_hash_put(&m, &key, &v, 1000), 0);
    CHECK_RC(mapsync_hash_get(&m, &key, &out, 1000), 0);
    CHECK(out.user == 42 && out.hits == 65535 && out.flags == 255);
    int64_t before = 0;
    CHECK_RC(mapsync_hash_add(&m, &key, 8, 2, 2, &before, 1000), 0); /* u16: 65535 + 2 wraps to 1 */
    CHECK(before == -1);
    CHECK_RC(mapsync_hash_add(&m, &key, 10, 1, 3, &before, 1000), 0); /* u8: 255 + 3 wraps to 2 */
    uint64_t absent = 8;
    CHECK_RC(mapsync_hash_add(&m, &absent, 0, 8, -5, &before, 1000), 0); /* inserted: zeros but the field */
    CHECK(before == 0);
    CHECK_RC(mapsync_hash_get(&m, &key, &out, 1000), 0);
    CHECK(out.user == 42 && out.hits == 1 && out.flags == 2);
    CHECK_RC(mapsync_hash_get(&m, &absent, &out, 1000), 0);
    CHECK(out.user == -5 && out.hits == 0 && out.flags == 0);
    CHECK_RC(mapsync_hash_add(&m, &key, 12, 8, 1, NULL, 1000), -EINVAL); /* beyond the value */
    CHECK_RC(mapsync_hash_remove(&m, &absent, 1000), 0);
    CHECK_RC(mapsync_hash_remove(&m, &absent, 1000), -ENOENT);

    /* changes: recorded with slot -1 and the key, as Java records a kernel hash map's */
    struct mapsync_change changes[8];
    uint64_t keys[8];
    CHECK_RC(mapsync_poll_keyed(&cursor, changes, keys, 8, 1000), 5);
    uint32_t kinds[] = {MAPSYNC_CHANGE_WRITE, MAPSYNC_CHANGE_ATOMIC, MAPSYNC_CHANGE_ATOMIC, MAPSYNC_CHANGE_ATOMIC,
                        MAPSYNC_CHANGE_REMOVE};
    uint64_t of[] = {7, 7, 7, 8, 8};
    for (int i = 0; i < 5; i++) CHECK(changes[i].kind == kinds[i] && keys[i] == of[i] && changes[i].key == UINT32_MAX);
    mapsync_unsubscribe(&cursor);

    /* iterating: every key once, by batches of whole buckets */
    for (uint64_t k = 100; k < 119; k++) {
        struct hits h = {.user = (int64_t)k};
        CHECK_RC(mapsync_hash_put(&m, &k, &h, 1000), 0);
    }
    uint64_t full = 200;
    CHECK_RC(mapsync_hash_put(&m, &full, &v, 1000), -ENOSPC);
    CHECK(strstr(m.error, "is full: its kernel hash map holds its max_entries (20)") != NULL);
    struct mapsync_hash_iter it;
    CHECK_RC(mapsync_hash_iter_begin(&m, &it), 0);
    int seen = 0, got;
    int64_t sum = 0;
    while ((got = mapsync_hash_next(&it, &key, &out)) == 1) {
        seen++;
        sum += out.user;
        CHECK(key == 7 ? out.user == 42 : out.user == (int64_t)key);
    }
    mapsync_hash_iter_end(&it);
    CHECK(got == 0 && seen == 20 && sum == 42 + (100 + 118) * 19 / 2);

    /* key locks: the holder's own writes run under them; get_all reads under them */
    uint64_t two[] = {7, 100};
    bool died = true;
    CHECK_RC(mapsync_hash_lock_keys(&m, two, 2, 1000, &died), 0);
    CHECK(!died);
    v.user = 1;
    CHECK_RC(mapsync_hash_put(&m, &two[1], &v, 1000), 0);
    struct hits both[2];
    bool found[2];
    CHECK_RC(mapsync_hash_get_all(&m, two, 2, both, found, 1000), 0);
    CHECK(found[0] && found[1] && both[0].user == 42 && both[1].user == 1);
    CHECK_RC(mapsync_hash_unlock_keys(&m, two, 2), 0);

    CHECK_RC(mapsync_open(&ro, name, MAPSYNC_READ_ONLY), 0);
    CHECK_RC(mapsync_hash_get(&ro, &two[1], &out, 1000), 0);
    CHECK(out.user == 1);
    CHECK_RC(mapsync_hash_put(&ro, &key, &v, 1000), -EBADF);
    mapsync_close(&ro);
    mapsync_close(&m);
}

/* A sidecar that does not describe its kernel map is refused with what differs. */
static void test_a_sidecar_of_another_kernel_map_is_refused(void) {
    char name[64];
    name_of(name, sizeof name, "x");
    int fd = bpf_map_create(BPF_MAP_TYPE_HASH, name, 8, 8, 20, NULL);
    CHECK(fd >= 0);
    struct bpfmap b = {.map_type = MAPSYNC_TYPE_HASH, .kernel_type = BPF_MAP_TYPE_HASH, .access = 1,
                       .key_schema = "u64", .value_schema = "a:i64,b:i64", .key_size = 8, .value_size = 16,
                       .entries = 20, .stripes = 4};
    publish(fd, name, &b);
    struct mapsync_map m;
    CHECK_RC(mapsync_open(&m, name, 0), -EMEDIUMTYPE);
    CHECK(strstr(m.error, "(type 1, key 8, value 8, 20 entries) does not match its sidecar") != NULL);

    /* a ring's sidecar whose pin holds a hash map */
    name_of(name, sizeof name, "y");
    fd = bpf_map_create(BPF_MAP_TYPE_HASH, name, 8, 8, 4096, NULL);
    struct bpfmap ring = {.map_type = MAPSYNC_TYPE_RING, .kernel_type = BPF_MAP_TYPE_RINGBUF, .entries = 4096};
    publish(fd, name, &ring);
    CHECK_RC(mapsync_open(&m, name, 0), -EMEDIUMTYPE);
    CHECK(strstr(m.error, "(type 1, 4096 entries) does not match its sidecar (type 27, a ring of 4096 bytes)") != NULL);
}

/* BTF of `struct { struct bpf_spin_lock lock; struct { i64 a, b; } value; }` and a u64 key; the loaded BTF's fd. */
static int pair_btf(int *key_id, int *value_id) {
    struct btf *btf = btf__new_empty();
    int u32 = btf__add_int(btf, "unsigned int", 4, 0);
    int u64 = btf__add_int(btf, "unsigned long long", 8, 0);
    int i64 = btf__add_int(btf, "long long", 8, BTF_INT_SIGNED);
    int lock = btf__add_struct(btf, "bpf_spin_lock", 4);
    btf__add_field(btf, "val", u32, 0, 0);
    int inner = btf__add_struct(btf, "pair_value", 16);
    btf__add_field(btf, "a", i64, 0, 0);
    btf__add_field(btf, "b", i64, 64, 0);
    int outer = btf__add_struct(btf, "pair", 24);
    btf__add_field(btf, "lock", lock, 0, 0);
    btf__add_field(btf, "value", inner, 64, 0);
    if (btf__load_into_kernel(btf) != 0) return -1;
    *key_id = u64;
    *value_id = outer;
    return btf__fd(btf); /* kept for the process: the map holds its own reference */
}

struct pair { int64_t a, b; };

static void *lock_adder(void *arg) {
    struct mapsync_map *m = arg;
    uint64_t key = 1;
    for (int i = 0; i < 2000; i++) mapsync_hash_add(m, &key, 8, 8, 1, NULL, 5000);
    return NULL;
}

static void test_spin_locked_values(void) {
    char name[64];
    name_of(name, sizeof name, "l");
    int key_id = 0, value_id = 0, btf = pair_btf(&key_id, &value_id);
    CHECK(btf >= 0);
    LIBBPF_OPTS(bpf_map_create_opts, opts, .btf_fd = btf, .btf_key_type_id = key_id, .btf_value_type_id = value_id);
    int fd = bpf_map_create(BPF_MAP_TYPE_HASH, name, 8, 24, 16, &opts);
    CHECK(fd >= 0);
    struct bpfmap b = {.map_type = MAPSYNC_TYPE_HASH, .kernel_type = BPF_MAP_TYPE_HASH, .access = 2,
                       .key_schema = "u64", .value_schema = "a:i64,b:i64", .key_size = 8, .value_size = 16,
                       .entries = 16, .stripes = 1};
    publish(fd, name, &b);
    struct mapsync_map m;
    CHECK_RC(mapsync_open(&m, name, 0), 0);
    CHECK(m.hash.kernel_value_size == 24 && m.hash.kernel_value_offset == 8);
    uint64_t key = 1;
    struct pair p = {5, 6}, out;
    CHECK_RC(mapsync_hash_put(&m, &key, &p, 1000), 0);
    CHECK_RC(mapsync_hash_get(&m, &key, &out, 1000), 0);
    CHECK(out.a == 5 && out.b == 6);
    /* two threads adding to one field: the stripe lock makes each read-modify-write whole */
    pthread_t t[2];
    for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, lock_adder, &m);
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    CHECK_RC(mapsync_hash_get(&m, &key, &out, 1000), 0);
    CHECK(out.a == 5 && out.b == 4006);
    struct mapsync_hash_iter it;
    CHECK_RC(mapsync_hash_iter_begin(&m, &it), 0);
    CHECK_RC(mapsync_hash_next(&it, &key, &out), 1);
    CHECK(key == 1 && out.a == 5 && out.b == 4006);
    CHECK_RC(mapsync_hash_next(&it, &key, &out), 0);
    mapsync_hash_iter_end(&it);
    mapsync_close(&m);
}

/* ------------------------------------------------------------------------------------------------- rings */

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})

/* A socket filter that copies the 16 bytes after the packet's Ethernet header into the ring with
 * bpf_ringbuf_output: what a tracing program would produce, run on demand with BPF_PROG_TEST_RUN. */
static int emitter(int ring) {
    struct bpf_insn insns[] = {
        INSN(0xbf, 6, 1, 0, 0),            /* r6 = r1 (the skb) */
        INSN(0xbf, 1, 6, 0, 0),            /* r1 = r6 */
        INSN(0xb7, 2, 0, 0, 0),            /* r2 = 0 */
        INSN(0xbf, 3, 10, 0, 0),           /* r3 = r10 */
        INSN(0x07, 3, 0, 0, -16),          /* r3 -= 16 */
        INSN(0xb7, 4, 0, 0, 16),           /* r4 = 16 */
        INSN(0x85, 0, 0, 0, 26),           /* bpf_skb_load_bytes */
        INSN(0x55, 0, 0, 7, 0),            /* if r0 != 0 goto exit */
        INSN(0x18, 1, 1, 0, ring),         /* r1 = the ring (BPF_PSEUDO_MAP_FD) */
        INSN(0, 0, 0, 0, 0),
        INSN(0xbf, 2, 10, 0, 0),           /* r2 = r10 */
        INSN(0x07, 2, 0, 0, -16),          /* r2 -= 16 */
        INSN(0xb7, 3, 0, 0, 16),           /* r3 = 16 */
        INSN(0xb7, 4, 0, 0, 0),            /* r4 = 0 */
        INSN(0x85, 0, 0, 0, 130),          /* bpf_ringbuf_output: 0, or -EAGAIN when full */
        INSN(0x95, 0, 0, 0, 0),            /* exit */
    };
    return bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "ring_emitter", "GPL", insns, sizeof insns / sizeof *insns, NULL);
}

struct item { int32_t source, kind; int64_t seq; };

/* Runs the emitter once: 0, or -EAGAIN when the ring is full. */
static int emit(int prog, int64_t seq) {
    uint8_t packet[64] = {0};
    struct item it = {3, 0, seq};
    memcpy(packet + 14, &it, sizeof it);
    LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = packet, .data_size_in = sizeof packet, .repeat = 1);
    if (bpf_prog_test_run_opts(prog, &run) != 0) return -errno;
    return (int)run.retval;
}

struct waiting { struct mapsync_consumer *c; int rc; struct item it; };

static void *consume_one(void *arg) {
    struct waiting *w = arg;
    uint32_t length;
    w->rc = mapsync_consume(w->c, &w->it, sizeof w->it, &length, 10000);
    return NULL;
}

static void test_a_kernel_ringbuf(void) {
    char name[64];
    name_of(name, sizeof name, "r");
    int fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, name, 0, 0, 4096, NULL);
    CHECK(fd >= 0);
    int prog = emitter(fd);
    CHECK(prog >= 0);
    struct bpfmap b = {.map_type = MAPSYNC_TYPE_RING, .kernel_type = BPF_MAP_TYPE_RINGBUF, .access = 0,
                       .value_schema = "source:i32,kind:i32,seq:i64", .value_size = 16, .entries = 4096};
    publish(fd, name, &b);
    struct mapsync_map m, other;
    struct mapsync_consumer c, second;
    CHECK_RC(mapsync_open(&m, name, 0), 0);
    CHECK_RC(mapsync_open(&other, name, 0), 0);
    struct mapsync_claim claim;
    CHECK_RC(mapsync_ring_claim(&m, 16, 0, &claim), -EPERM);
    CHECK(strstr(m.error, "only BPF programs produce into it") != NULL);
    CHECK_RC(mapsync_ring_seal(&m), -EPERM);
    CHECK_RC(mapsync_consumer_open(&m, &c), 0);
    CHECK_RC(mapsync_consumer_open(&other, &second), -EBUSY);
    CHECK(strstr(other.error, "already has a consumer") != NULL);
    struct item it;
    uint32_t length;
    CHECK_RC(mapsync_consume(&c, &it, sizeof it, &length, 0), -ETIMEDOUT);
    /* 170 records fit in 4096 bytes: the ring wraps a dozen times, each record read once and in order */
    int64_t next = 0, emitted = 0;
    for (int round = 0; round < 12; round++) {
        for (int i = 0; i < 150; i++) CHECK_RC(emit(prog, emitted++), 0);
        for (int i = 0; i < 150; i++) {
            CHECK_RC(mapsync_consume(&c, &it, sizeof it, &length, 1000), 0);
            CHECK(length == 16 && it.source == 3 && it.seq == next);
            next++;
        }
    }
    while (emit(prog, emitted) == 0) emitted++; /* full: the program wrote nothing */
    CHECK(emitted - next == 170);
    CHECK_RC(mapsync_consume(&c, &it, 8, &length, 0), -EMSGSIZE);
    CHECK(length == 16);
    while (next < emitted) {
        CHECK_RC(mapsync_consume(&c, &it, sizeof it, &length, 1000), 0);
        CHECK(it.seq == next);
        next++;
    }
    /* a consumer asleep in poll(2) is woken by the kernel when a record is committed */
    struct waiting w = {.c = &c};
    pthread_t t;
    pthread_create(&t, NULL, consume_one, &w);
    CHECK_RC(emit(prog, emitted), 0);
    pthread_join(t, NULL);
    CHECK(w.rc == 0 && w.it.seq == emitted);
    mapsync_consumer_close(&c);
    CHECK_RC(mapsync_consumer_open(&other, &second), 0); /* the role is free again */
    mapsync_consumer_close(&second);
    mapsync_close(&other);
    mapsync_close(&m);
    close(prog);
}

static void test_a_user_ring(void) {
    char name[64];
    name_of(name, sizeof name, "u");
    int fd = bpf_map_create(BPF_MAP_TYPE_USER_RINGBUF, name, 0, 0, 4096, NULL);
    CHECK(fd >= 0);
    struct bpfmap b = {.map_type = MAPSYNC_TYPE_RING, .kernel_type = BPF_MAP_TYPE_USER_RINGBUF, .access = 0,
                       .entries = 4096};
    publish(fd, name, &b);
    struct mapsync_map m;
    struct mapsync_consumer c;
    CHECK_RC(mapsync_open(&m, name, 0), 0);
    CHECK_RC(mapsync_consumer_open(&m, &c), -EPERM);
    CHECK(strstr(m.error, "only BPF programs consume it (bpf_user_ringbuf_drain)") != NULL);
    struct mapsync_claim claim;
    int fits = 0;
    while (mapsync_ring_claim(&m, 16, 0, &claim) == 0) {
        memcpy(claim.payload, &fits, sizeof fits);
        CHECK_RC(fits % 7 == 3 ? mapsync_ring_discard(&m, &claim) : mapsync_ring_commit(&m, &claim), 0);
        fits++;
    }
    CHECK(fits == 4096 / 24);
    CHECK(strstr(m.error, "is full") != NULL);
    /* the kernel's producer page: the position the claims moved, and committed headers where the kernel reads them */
    uint64_t producer = __atomic_load_n((uint64_t *)(m.data + 4096), __ATOMIC_ACQUIRE);
    CHECK(producer == 170 * 24);
    uint32_t header = *(uint32_t *)(m.data + 2 * 4096 + 3 * 24);
    CHECK(header == (16 | 0x40000000u)); /* record 3 was discarded */
    CHECK(*(uint32_t *)(m.data + 2 * 4096 + 4 * 24) == 16 && *(int *)(m.data + 2 * 4096 + 4 * 24 + 8) == 4);
    mapsync_close(&m);
}

/* ------------------------------------------------------------------------------------------------ per-CPU maps */

/* A raw tracepoint program that adds 1 to the u64 at offset 0 of element `key` of `map` (its own CPU's value), run on
 * a chosen CPU with BPF_PROG_TEST_RUN: what a BPF program counting per CPU does. */
static int incrementer(int map, uint32_t key) {
    struct bpf_insn insns[] = {
        INSN(0x62, 10, 0, -4, (int32_t)key), /* *(u32 *)(r10 - 4) = key */
        INSN(0x18, 1, 1, 0, map),            /* r1 = the map (BPF_PSEUDO_MAP_FD) */
        INSN(0, 0, 0, 0, 0),
        INSN(0xbf, 2, 10, 0, 0),             /* r2 = r10 */
        INSN(0x07, 2, 0, 0, -4),             /* r2 -= 4 */
        INSN(0x85, 0, 0, 0, 1),              /* bpf_map_lookup_elem: this CPU's value */
        INSN(0x15, 0, 0, 2, 0),              /* if r0 == 0 goto out */
        INSN(0xb7, 1, 0, 0, 1),              /* r1 = 1 */
        INSN(0xdb, 0, 1, 0, 0),              /* lock *(u64 *)(r0 + 0) += r1 */
        INSN(0xb7, 0, 0, 0, 0),              /* out: r0 = 0 */
        INSN(0x95, 0, 0, 0, 0),              /* exit */
    };
    return bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "percpu_inc", "GPL", insns, sizeof insns / sizeof *insns, NULL);
}

/* Runs `prog` `times` times on CPU `cpu`. */
static void run_on(int prog, uint32_t cpu, int times) {
    for (int i = 0; i < times; i++) {
        LIBBPF_OPTS(bpf_test_run_opts, run, .flags = BPF_F_TEST_RUN_ON_CPU, .cpu = cpu);
        CHECK(bpf_prog_test_run_opts(prog, &run) == 0 && run.retval == 0);
    }
}

struct counts { uint64_t packets; int32_t drops; char tag[4]; }; /* "packets:u64,drops:i32,tag:char[4]": 16 bytes */

static void test_a_per_cpu_array(void) {
    int cpus = libbpf_num_possible_cpus();
    char name[64];
    name_of(name, sizeof name, "pa");
    int fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, name, 4, sizeof(struct counts), 3, NULL);
    CHECK(fd >= 0);
    int prog = incrementer(fd, 1);
    CHECK(prog >= 0);
    struct bpfmap b = {.map_type = MAPSYNC_TYPE_ARRAY, .kernel_type = BPF_MAP_TYPE_PERCPU_ARRAY, .access = 1,
                       .value_schema = "packets:u64,drops:i32,tag:char[4]", .key_size = 4,
                       .value_size = sizeof(struct counts), .entries = 3, .stripes = 3};
    publish(fd, name, &b);
    struct mapsync_map m, ro;
    CHECK_RC(mapsync_open(&m, name, 0), 0);
    CHECK(m.cpus == (uint32_t)cpus && mapsync_value(&m, 1) == NULL);
    struct mapsync_cursor cursor;
    CHECK_RC(mapsync_subscribe(&m, &cursor), 0);
    struct counts v = {.packets = 100, .drops = -2, .tag = {'e', 't', 'h', '0'}}, sum, each[cpus];
    CHECK_RC(mapsync_write(&m, 1, &v, 1000), 0); /* every CPU's value */
    struct mapsync_change change[2];
    CHECK_RC(mapsync_poll(&cursor, change, 2, 1000), 1);
    CHECK(change[0].kind == MAPSYNC_CHANGE_WRITE && change[0].key == 1);
    mapsync_unsubscribe(&cursor);
    run_on(prog, 0, 1);
    if (cpus > 1) run_on(prog, 1, 4);
    CHECK_RC(mapsync_read_per_cpu(&m, 1, each), 0);
    for (int c = 0; c < cpus; c++) {
        uint64_t want = 100 + (c == 0 ? 1 : c == 1 ? 4 : 0);
        CHECK(each[c].packets == want && each[c].drops == -2 && memcmp(each[c].tag, "eth0", 4) == 0);
    }
    CHECK_RC(mapsync_read(&m, 1, &sum, 1000), 0); /* numbers summed; chars CPU 0's */
    CHECK(sum.packets == 100u * (uint64_t)cpus + 1 + (cpus > 1 ? 4 : 0) && sum.drops == -2 * cpus
          && memcmp(sum.tag, "eth0", 4) == 0);
    struct counts again;
    CHECK_RC(mapsync_per_cpu_sum(&m, each, &again), 0);
    CHECK(memcmp(&again, &sum, sizeof sum) == 0);
    CHECK_RC(mapsync_read(&m, 0, &sum, 1000), 0);
    CHECK(sum.packets == 0 && sum.drops == 0);
    CHECK_RC(mapsync_read(&m, 3, &sum, 1000), -ERANGE);
    CHECK_RC(mapsync_read_per_cpu(&m, 3, each), -ERANGE);
    int64_t before;
    CHECK_RC(mapsync_fetch_add(&m, 1, 0, 8, 1, &before), -ENOTSUP);
    CHECK(strstr(m.error, "is a per-CPU array: it has no atomic slots") != NULL);
    CHECK_RC(mapsync_compare_and_set(&m, 1, 0, 8, 0, 1, &before), -ENOTSUP);
    /* a lock the caller holds is used by its write */
    CHECK_RC(mapsync_lock(&m, 2, 1000, NULL), 0);
    CHECK_RC(mapsync_write(&m, 2, &v, 1000), 0);
    CHECK_RC(mapsync_unlock(&m, 2), 0);
    CHECK_RC(mapsync_open(&ro, name, MAPSYNC_READ_ONLY), 0);
    CHECK_RC(mapsync_read_per_cpu(&ro, 2, each), 0);
    CHECK(each[cpus - 1].packets == 100);
    CHECK_RC(mapsync_write(&ro, 2, &v, 1000), -EBADF);
    mapsync_close(&ro);
    mapsync_close(&m);
    close(prog);
}

struct tally { uint16_t hits; uint64_t bytes; float share; }; /* "hits:u16,bytes:u64,share:f32": 24 bytes */

static void test_a_per_cpu_hash_map(uint32_t kernel_type) {
    int cpus = libbpf_num_possible_cpus();
    size_t stride = (sizeof(struct tally) + 7) & ~7ul;
    char name[64];
    name_of(name, sizeof name, kernel_type == BPF_MAP_TYPE_PERCPU_HASH ? "ph" : "pl");
    int fd = bpf_map_create(kernel_type, name, 4, sizeof(struct tally), 64, NULL);
    CHECK(fd >= 0);
    int raw = dup(fd);
    struct bpfmap b = {.map_type = MAPSYNC_TYPE_HASH, .kernel_type = kernel_type, .access = 1, .key_schema = "u32",
                       .value_schema = "hits:u16,bytes:u64,share:f32", .key_size = 4,
                       .value_size = sizeof(struct tally), .entries = 64, .stripes = 4};
    publish(fd, name, &b);
    struct mapsync_map m;
    CHECK_RC(mapsync_open(&m, name, 0), 0);
    CHECK(m.cpus == (uint32_t)cpus && m.hash.kernel_value_size == cpus * stride);
    uint32_t key = 1;
    struct tally v = {.hits = 7, .bytes = 1000, .share = 0.5f}, out, each[cpus];
    CHECK_RC(mapsync_hash_put(&m, &key, &v, 1000), 0); /* every CPU's */
    CHECK_RC(mapsync_hash_get_per_cpu(&m, &key, each), 0);
    for (int c = 0; c < cpus; c++) CHECK(each[c].hits == 7 && each[c].bytes == 1000 && each[c].share == 0.5f);
    CHECK_RC(mapsync_hash_get(&m, &key, &out, 1000), 0);
    CHECK(out.hits == 7 * cpus && out.bytes == 1000u * (uint64_t)cpus && out.share == 0.5f * (float)cpus);
    /* each CPU's own value, as a BPF program leaves them: the u16 sum wraps */
    uint8_t *all = calloc((size_t)cpus, stride);
    for (int c = 0; c < cpus; c++) {
        struct tally t = {.hits = 65535, .bytes = (uint64_t)c + 1, .share = 0.25f};
        memcpy(all + c * stride, &t, sizeof t);
    }
    key = 2;
    CHECK(bpf_map_update_elem(raw, &key, all, BPF_ANY) == 0);
    CHECK_RC(mapsync_hash_get_per_cpu(&m, &key, each), 0);
    for (int c = 0; c < cpus; c++) CHECK(each[c].hits == 65535 && each[c].bytes == (uint64_t)c + 1);
    CHECK_RC(mapsync_hash_get(&m, &key, &out, 1000), 0);
    CHECK(out.hits == (uint16_t)(65535u * (unsigned)cpus) && out.bytes == (uint64_t)cpus * (cpus + 1) / 2
          && out.share == 0.25f * (float)cpus);
    uint32_t absent = 9;
    CHECK_RC(mapsync_hash_get_per_cpu(&m, &absent, each), -ENOENT);
    int64_t before;
    CHECK_RC(mapsync_hash_add(&m, &key, 8, 8, 1, &before, 1000), -ENOTSUP);
    CHECK(strstr(m.error, "is a per-CPU hash map: an add would write the new sum as every CPU's value") != NULL);
    /* iterating: the sums, or every CPU's value */
    struct mapsync_hash_iter it;
    CHECK_RC(mapsync_hash_iter_begin(&m, &it), 0);
    int seen = 0, got;
    while ((got = mapsync_hash_next(&it, &key, &out)) == 1) {
        seen++;
        CHECK(key == 1 ? out.bytes == 1000u * (uint64_t)cpus : out.bytes == (uint64_t)cpus * (cpus + 1) / 2);
    }
    mapsync_hash_iter_end(&it);
    CHECK(got == 0 && seen == 2);
    CHECK_RC(mapsync_hash_iter_begin(&m, &it), 0);
    seen = 0;
    while ((got = mapsync_hash_next_per_cpu(&it, &key, each)) == 1) {
        seen++;
        CHECK(each[cpus - 1].bytes == (key == 1 ? 1000u : (uint64_t)cpus));
    }
    mapsync_hash_iter_end(&it);
    CHECK(got == 0 && seen == 2);
    uint32_t keys[] = {2, 9};
    struct tally both[2];
    bool found[2];
    CHECK_RC(mapsync_hash_get_all(&m, keys, 2, both, found, 1000), 0);
    CHECK(found[0] && !found[1] && both[0].bytes == (uint64_t)cpus * (cpus + 1) / 2);
    CHECK_RC(mapsync_hash_remove(&m, &keys[0], 1000), 0);
    CHECK_RC(mapsync_hash_get(&m, &keys[0], &out, 1000), -ENOENT);
    free(all);
    close(raw);
    mapsync_close(&m);
}

/* A sidecar whose kernel map differs (value size, type) or whose access is not a per-CPU map's is refused before
 * anything is copied. */
static void test_per_cpu_maps_that_do_not_match_are_refused(void) {
    char name[64];
    struct mapsync_map m;
    name_of(name, sizeof name, "pv");
    int fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_HASH, name, 4, 8, 16, NULL);
    struct bpfmap wider = {.map_type = MAPSYNC_TYPE_HASH, .kernel_type = BPF_MAP_TYPE_PERCPU_HASH, .access = 1,
                           .key_schema = "u32", .value_schema = "a:u64,b:u64", .key_size = 4, .value_size = 16,
                           .entries = 16, .stripes = 1};
    publish(fd, name, &wider);
    CHECK_RC(mapsync_open(&m, name, 0), -EMEDIUMTYPE);
    CHECK(strstr(m.error, "(type 5, key 4, value 8, 16 entries) does not match its sidecar (type 5, key 4, value 16") != NULL);
    name_of(name, sizeof name, "pt");
    fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, name, 4, 8, 4, NULL);
    struct bpfmap plain = {.map_type = MAPSYNC_TYPE_ARRAY, .kernel_type = BPF_MAP_TYPE_PERCPU_ARRAY, .access = 1,
                           .value_schema = "u64", .key_size = 4, .value_size = 8, .entries = 4, .stripes = 4};
    publish(fd, name, &plain);
    CHECK_RC(mapsync_open(&m, name, 0), -EMEDIUMTYPE);
    CHECK(strstr(m.error, "(type 2, key 4, value 8, 4 entries) does not match its sidecar (percpu_array") != NULL);
    name_of(name, sizeof name, "pk");
    fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, name, 4, 8, 4, NULL);
    struct bpfmap mapped = {.map_type = MAPSYNC_TYPE_ARRAY, .kernel_type = BPF_MAP_TYPE_PERCPU_ARRAY, .access = 0,
                            .value_schema = "u64", .key_size = 4, .value_size = 8, .entries = 4, .stripes = 4};
    publish(fd, name, &mapped);
    CHECK_RC(mapsync_open(&m, name, 0), -EBADMSG);
    CHECK(strstr(m.error, "records a per-CPU array with access 0") != NULL);
    name_of(name, sizeof name, "pp");
    fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, name, 4, 8, 4, NULL);
    struct bpfmap as_array = {.map_type = MAPSYNC_TYPE_ARRAY, .kernel_type = BPF_MAP_TYPE_ARRAY, .access = 0,
                              .value_schema = "u64", .key_size = 4, .value_size = 8, .entries = 4, .stripes = 4};
    publish(fd, name, &as_array);
    CHECK_RC(mapsync_open(&m, name, 0), -EMEDIUMTYPE); /* a plain array's sidecar whose pin is per-CPU */
}

int main(void) {
    if (mkdtemp(dir) == NULL) return 2;
    setenv(MAPSYNC_DIR_ENV, dir, 1);
    int probe = bpf_map_create(BPF_MAP_TYPE_HASH, "probe", 8, 8, 1, NULL);
    if (probe < 0) {
        printf("skipped the bpf tests: the kernel refuses to make a bpf map here (%s); they need CAP_BPF\n", strerror(errno));
        rmdir(dir);
        return 0;
    }
    close(probe);
    test_a_kernel_hash_map();
    test_a_sidecar_of_another_kernel_map_is_refused();
    test_spin_locked_values();
    test_a_kernel_ringbuf();
    test_a_user_ring();
    test_a_per_cpu_array();
    test_a_per_cpu_hash_map(BPF_MAP_TYPE_PERCPU_HASH);
    test_a_per_cpu_hash_map(BPF_MAP_TYPE_LRU_PERCPU_HASH);
    test_per_cpu_maps_that_do_not_match_are_refused();
    for (int i = 0; i < npins; i++) unlink(pins[i]);
    char command[4200];
    snprintf(command, sizeof command, "rm -rf %s", dir);
    if (system(command) != 0) printf("could not remove %s\n", dir);
    printf("%d checks, %d failed\n", checks, failed);
    return failed == 0 ? 0 : 1;
}
