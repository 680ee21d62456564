/*
 * create: mapsync_create's tests, without a JVM: a map of each kind made, its header laid out as Java lays it out,
 * used through the handle it leaves open and through a second open; a second creator refused; bad specs refused
 * with nothing left behind; a file a creator left unpublished keeps its name.
 */
#include <mapsync.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int checks, failed;

#define CHECK(cond) do { checks++; if (!(cond)) { failed++; printf("%s:%d: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECK_RC(call, want) do { int rc_ = (call); checks++; if (rc_ != (want)) { failed++; \
    printf("%s:%d: %s = %d (%s), expected %d\n", __FILE__, __LINE__, #call, rc_, strerror(-rc_), want); } } while (0)

static char dir[] = "/dev/shm/libmapsync-create-XXXXXX";

static mode_t mode_of(const char *name) {
    char path[4200];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0 ? st.st_mode & 07777 : (mode_t)-1;
}

static void test_an_array_is_laid_out_as_java_lays_it_out(void) {
    struct mapsync_map m, again;
    struct mapsync_create_spec spec = {.map_type = MAPSYNC_TYPE_ARRAY, .value_schema = "a:i64,b:i32", .entries = 5000,
                                       .mode = 0640};
    CHECK_RC(mapsync_create(&m, "array", &spec), 0);
    const struct mapsync_header *h = m.header;
    CHECK(h->ready == 1 && h->version == MAPSYNC_VERSION && h->map_type == MAPSYNC_TYPE_ARRAY && h->backend == 0);
    CHECK(h->key_size == 4 && h->value_size == 16 /* the i32 padded as C pads it */ && h->stride == 16 && h->entries == 5000);
    CHECK(h->lock_stripes == 4096 && h->changelog_capacity == 4096 && h->creator_pid == (uint32_t)getpid());
    CHECK(h->control_offset == 4096 && h->control_length == 438272 && h->data_offset == 4096 + 438272);
    CHECK(h->data_length == 81920 && h->file_length == 4096 + 438272 + 81920);
    CHECK(strcmp(m.key_schema, "u32") == 0 && strcmp(m.value_schema, "a:i64,b:i32") == 0 && m.token != 0);
    CHECK(mode_of("array") == 0640 && mode_of("array.live") == 0600);
    CHECK_RC(mapsync_write(&m, 4999, (int64_t[2]){7, 8}, 100), 0);
    CHECK_RC(mapsync_open(&again, "array", MAPSYNC_READ_ONLY), 0);
    int64_t out[2] = {0, 0};
    CHECK_RC(mapsync_read(&again, 4999, out, 100), 0);
    CHECK(out[0] == 7 && (int32_t)out[1] == 8);
    mapsync_close(&again);
    struct mapsync_map second;
    CHECK_RC(mapsync_create(&second, "array", &spec), -EEXIST);
    CHECK(strstr(second.error, "exists already") != NULL);
    mapsync_close(&m);
}

static void test_a_hash_map_is_made_and_used(void) {
    struct mapsync_map m, again;
    struct mapsync_create_spec spec = {.map_type = MAPSYNC_TYPE_HASH, .key_schema = "u64", .value_schema = "i32",
                                       .entries = 1000};
    CHECK_RC(mapsync_create(&m, "hash", &spec), 0);
    CHECK(m.lock_stripes == 8 && m.header->changelog_capacity == 4096 && m.key_size == 8 && m.value_size == 4);
    uint64_t key = 42;
    int32_t value = -5, out = 0;
    CHECK_RC(mapsync_hash_put(&m, &key, &value, 100), 0);
    CHECK_RC(mapsync_open(&again, "hash", 0), 0);
    CHECK(again.hash.seed == m.hash.seed && again.hash.slots == m.hash.slots);
    CHECK_RC(mapsync_hash_get(&again, &key, &out, 100), 0);
    CHECK(out == -5);
    mapsync_close(&again);
    mapsync_close(&m);
}

static void test_a_queue_carries_records(void) {
    struct mapsync_map m;
    struct mapsync_create_spec spec = {.map_type = MAPSYNC_TYPE_RING, .value_schema = "u64", .entries = 4096};
    CHECK_RC(mapsync_create(&m, "queue", &spec), 0);
    CHECK(m.header->data_length == 4096 && m.header->control_length == 36864 && m.value_size == 8 && m.stride == 0);
    struct mapsync_claim claim;
    CHECK_RC(mapsync_ring_claim(&m, 8, 100, &claim), 0);
    uint64_t record = 99, out = 0;
    memcpy(claim.payload, &record, 8);
    CHECK_RC(mapsync_ring_commit(&m, &claim), 0);
    struct mapsync_consumer c;
    uint32_t length = 0;
    CHECK_RC(mapsync_consumer_open(&m, &c), 0);
    CHECK_RC(mapsync_consume(&c, &out, 8, &length, 100), 0);
    CHECK(length == 8 && out == 99);
    mapsync_consumer_close(&c);
    mapsync_close(&m);
    spec.value_schema = NULL;
    spec.entries = 3000;
    CHECK_RC(mapsync_create(&m, "ring", &spec), -EINVAL);
    CHECK(strstr(m.error, "power of two") != NULL && mode_of("ring") == (mode_t)-1);
}

static void test_a_barrier_of_one_party_trips(void) {
    struct mapsync_map m;
    struct mapsync_create_spec spec = {.map_type = MAPSYNC_TYPE_BARRIER, .entries = 1};
    CHECK_RC(mapsync_create(&m, "barrier", &spec), 0);
    CHECK(m.header->control_length == 36864 && m.header->data_offset == 0 && m.header->file_length == 4096 + 36864);
    uint64_t generation = 9;
    CHECK_RC(mapsync_barrier_await(&m, 100, &generation), 0);
    CHECK(generation == 0);
    mapsync_close(&m);
}

static void test_bad_specs_are_refused_and_leave_nothing(void) {
    struct mapsync_map m;
    struct mapsync_create_spec spec = {.map_type = MAPSYNC_TYPE_ARRAY, .value_schema = "x:what", .entries = 4};
    CHECK_RC(mapsync_create(&m, "bad", &spec), -EINVAL);
    CHECK(strstr(m.error, "not a schema") != NULL);
    spec.value_schema = "i64";
    spec.changelog_capacity = 100;
    CHECK_RC(mapsync_create(&m, "bad", &spec), -EINVAL);
    CHECK(strstr(m.error, "changelog capacity 100") != NULL);
    struct mapsync_create_spec barrier = {.map_type = MAPSYNC_TYPE_BARRIER, .entries = 1025};
    CHECK_RC(mapsync_create(&m, "bad", &barrier), -EINVAL);
    struct mapsync_create_spec none = {.map_type = 9, .entries = 1};
    CHECK_RC(mapsync_create(&m, "bad", &none), -EINVAL);
    CHECK_RC(mapsync_create(&m, "../bad", &spec), -EINVAL);
    CHECK_RC(mapsync_create(&m, "bad", NULL), -EINVAL);
    CHECK_RC(mapsync_create(&m, "bpf:bad", &spec), -EINVAL);
    CHECK(mode_of("bad") == (mode_t)-1 && mode_of("bad.live") == (mode_t)-1);
}

/* A file made but never published, as a creator killed before its ready word leaves it: the name stays taken (an
 * opener reports the map unfinished; mapsync rm removes it). */
static void test_an_unpublished_map_keeps_its_name(void) {
    char path[4200];
    snprintf(path, sizeof path, "%s/unfinished", dir);
    pid_t child = fork();
    if (child == 0) {
        FILE *f = fopen(path, "wx");
        char header[4096] = "MAPSYNC";
        uint32_t version = MAPSYNC_VERSION, pid = (uint32_t)getpid();
        memcpy(header + 8, &version, 4);
        memcpy(header + 40, &pid, 4);
        fwrite(header, 1, sizeof header, f);
        fclose(f);
        _exit(0);
    }
    int status;
    waitpid(child, &status, 0);
    struct mapsync_map m;
    struct mapsync_create_spec spec = {.map_type = MAPSYNC_TYPE_BARRIER, .entries = 2};
    CHECK_RC(mapsync_create(&m, "unfinished", &spec), -EEXIST);
}

int main(void) {
    if (mkdtemp(dir) == NULL) return 2;
    setenv(MAPSYNC_DIR_ENV, dir, 1);
    test_an_array_is_laid_out_as_java_lays_it_out();
    test_a_hash_map_is_made_and_used();
    test_a_queue_carries_records();
    test_a_barrier_of_one_party_trips();
    test_bad_specs_are_refused_and_leave_nothing();
    test_an_unpublished_map_keeps_its_name();
    char command[4200];
    snprintf(command, sizeof command, "rm -rf %s", dir);
    if (system(command) != 0) printf("could not remove %s\n", dir);
    printf("%d checks, %d failed\n", checks, failed);
    return failed == 0 ? 0 : 1;
}
