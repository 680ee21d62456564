/*
 * hash_tool: reads and writes a hash map of testkit/HashCells (char[16] keys; values
 * writer:i64,seq:i64,counter:i64,note:char[8]) through libmapsync.
 *
 *   hash_tool MAP get KEY               prints "KEY writer=W seq=S counter=C note=N", or "KEY absent"
 *   hash_tool MAP list                  every entry, one line each as get prints them, in the map's order
 *   hash_tool MAP fill PREFIX FROM TO W  puts PREFIXi = {W, i, 0, "wW"} for i in FROM..TO-1; prints "put N"
 *   hash_tool MAP churn PREFIX KEYS PROGRESS
 *                                       until killed: puts PREFIX0..PREFIX(KEYS-1) (values {5, round, 0, "w5"}), then
 *                                       removes the even ones, over and over; after each operation it stores the
 *                                       number of operations finished in value 0 of PROGRESS, an i64 array (a store
 *                                       costs nanoseconds, so the process is almost always inside an operation)
 *   hash_tool MAP remove PREFIX FROM TO  removes PREFIXi for i in FROM..TO-1; prints "removed N absent A"
 *   hash_tool MAP add PREFIX FROM TO D [ROUNDS]
 *                                       adds D to the counter of PREFIXi for i in FROM..TO-1 (inserting absent keys),
 *                                       ROUNDS times over (default once); prints "added N", the adds made
 *   hash_tool MAP watch COUNT            subscribes, prints "subscribed", then one line per change until COUNT:
 *                                       "write KEY", "atomic KEY", "remove KEY", or "missed N"
 */
#include <mapsync.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cell { int64_t writer, seq, counter; char note[8]; };

static void key_of(char key[16], const char *prefix, long i) {
    char text[64];
    int n = snprintf(text, sizeof text, "%s%ld", prefix, i);
    memset(key, 0, 16); /* NUL padding, as char[16] keys have */
    memcpy(key, text, n < 16 ? (size_t)n : 16);
}

/* No change came in time: a sentence, and the exit code of a timeout. */
static int no_change(struct mapsync_map *m) {
    snprintf(m->error, sizeof m->error, "no change for 10 s");
    return -ETIMEDOUT;
}

static void print(const char key[16], const struct cell *c) {
    printf("%.16s writer=%lld seq=%lld counter=%lld note=%.8s\n", key, (long long)c->writer, (long long)c->seq,
           (long long)c->counter, c->note);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: hash_tool MAP get KEY | list | fill PREFIX FROM TO W | remove PREFIX FROM TO | add PREFIX FROM TO D [ROUNDS]\n");
        return 1;
    }
    struct mapsync_map m;
    int rc = mapsync_open(&m, argv[1], 0);
    if (rc == 0 && (m.key_size != 16 || m.value_size != sizeof(struct cell))) {
        fprintf(stderr, "hash_tool: map %s holds %s -> %s\n", argv[1], m.key_schema, m.value_schema);
        return 3;
    }
    char key[16];
    struct cell c;
    if (rc == 0 && strcmp(argv[2], "get") == 0 && argc == 4) {
        size_t n = strlen(argv[3]);
        memset(key, 0, sizeof key);
        memcpy(key, argv[3], n < sizeof key ? n : sizeof key);
        rc = mapsync_hash_get(&m, key, &c, 10000);
        if (rc == 0) print(key, &c);
        else if (rc == -ENOENT) printf("%.16s absent\n", key), rc = 0;
    } else if (rc == 0 && strcmp(argv[2], "list") == 0) {
        struct mapsync_hash_iter it;
        rc = mapsync_hash_iter_begin(&m, &it);
        int got;
        while (rc == 0 && (got = mapsync_hash_next(&it, key, &c)) != 0) {
            if (got < 0) rc = got;
            else print(key, &c);
        }
        mapsync_hash_iter_end(&it);
    } else if (rc == 0 && strcmp(argv[2], "fill") == 0 && argc == 7) {
        long from = strtol(argv[4], NULL, 10), to = strtol(argv[5], NULL, 10), writer = strtol(argv[6], NULL, 10);
        for (long i = from; rc == 0 && i < to; i++) {
            key_of(key, argv[3], i);
            memset(&c, 0, sizeof c);
            c.writer = writer;
            c.seq = i;
            char note[32];
            int n = snprintf(note, sizeof note, "w%ld", writer);
            memcpy(c.note, note, n < 8 ? (size_t)n : 8);
            rc = mapsync_hash_put(&m, key, &c, 10000);
        }
        if (rc == 0) printf("put %ld\n", to - from);
    } else if (rc == 0 && strcmp(argv[2], "churn") == 0 && argc == 6) {
        long keys = strtol(argv[4], NULL, 10);
        struct mapsync_map progress;
        rc = mapsync_open(&progress, argv[5], 0);
        if (rc != 0) {
            fprintf(stderr, "hash_tool: %s\n", progress.error);
            return mapsync_exit_code(rc);
        }
        int64_t *done = MAPSYNC_VALUE(&progress, int64_t, 0), finished = 0;
        for (long round = 0; rc == 0; round++) {
            for (long i = 0; rc == 0 && i < keys; i++) {
                key_of(key, argv[3], i);
                memset(&c, 0, sizeof c);
                c.writer = 5;
                c.seq = round;
                memcpy(c.note, "w5", 2);
                rc = mapsync_hash_put(&m, key, &c, 10000);
                if (rc == 0) mapsync_store_release_i64(done, ++finished);
            }
            for (long i = 0; rc == 0 && i < keys; i += 2) {
                key_of(key, argv[3], i);
                rc = mapsync_hash_remove(&m, key, 10000);
                if (rc == 0) mapsync_store_release_i64(done, ++finished);
            }
        }
    } else if (rc == 0 && strcmp(argv[2], "watch") == 0 && argc == 4) {
        long count = strtol(argv[3], NULL, 10), seen = 0;
        struct mapsync_cursor cursor;
        rc = mapsync_subscribe(&m, &cursor);
        if (rc == 0) printf("subscribed\n"), fflush(stdout);
        static const char *kinds[] = {"missed", "write", "atomic", "remove"};
        struct mapsync_change changes[16];
        char keys[16][16];
        while (rc == 0 && seen < count) {
            int n = mapsync_poll_keyed(&cursor, changes, keys, 16, 10000);
            if (n == 0) rc = no_change(&m);
            if (n < 0) rc = n;
            for (int i = 0; i < n; i++) {
                if (changes[i].kind == MAPSYNC_CHANGES_MISSED) printf("missed %llu\n", (unsigned long long)changes[i].count);
                else printf("%s %.16s\n", kinds[changes[i].kind], keys[i]);
                seen += (long)changes[i].count;
            }
            fflush(stdout);
        }
        mapsync_unsubscribe(&cursor);
    } else if (rc == 0 && strcmp(argv[2], "add") == 0 && (argc == 7 || argc == 8)) {
        long from = strtol(argv[4], NULL, 10), to = strtol(argv[5], NULL, 10), delta = strtol(argv[6], NULL, 10);
        long rounds = argc == 8 ? strtol(argv[7], NULL, 10) : 1, counter = mapsync_field_offset(&m, "counter");
        for (long r = 0; rc == 0 && r < rounds; r++) {
            for (long i = from; rc == 0 && i < to; i++) {
                key_of(key, argv[3], i);
                rc = mapsync_hash_add(&m, key, (uint32_t)counter, 8, delta, NULL, 10000);
            }
        }
        if (rc == 0) printf("added %ld\n", rounds * (to - from));
    } else if (rc == 0 && strcmp(argv[2], "remove") == 0 && argc == 6) {
        long from = strtol(argv[4], NULL, 10), to = strtol(argv[5], NULL, 10), removed = 0, absent = 0;
        for (long i = from; rc == 0 && i < to; i++) {
            key_of(key, argv[3], i);
            rc = mapsync_hash_remove(&m, key, 10000);
            if (rc == 0) removed++;
            else if (rc == -ENOENT) absent++, rc = 0;
        }
        if (rc == 0) printf("removed %ld absent %ld\n", removed, absent);
    } else if (rc == 0) {
        fprintf(stderr, "hash_tool: unknown command\n");
        rc = -EINVAL;
    }
    if (rc != 0) fprintf(stderr, "hash_tool: %s\n", m.error);
    mapsync_close(&m);
    return mapsync_exit_code(rc);
}
