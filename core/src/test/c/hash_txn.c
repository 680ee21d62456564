/*
 * hash_txn: key locks, multi-key reads and field adds on a hash map of testkit/HashCells (char[16] keys; values
 * writer:i64,seq:i64,counter:i64,note:char[8]) through libmapsync.
 *
 *   hash_txn MAP move A B ROUNDS   ROUNDS times, under the locks of A and B: moves the record from whichever of the
 *                                  two holds it to the other, adding 1 to its counter; prints "moved N"
 *   hash_txn MAP check A B DONE    reads A and B together with mapsync_hash_get_all until key DONE is present;
 *                                  prints "checked N twice T never V" (T: both held the record, V: neither)
 *   hash_txn MAP add KEY TIMES     adds 1 to KEY's counter field TIMES times; prints "added N"
 */
#include <mapsync.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cell { int64_t writer, seq, counter; char note[8]; };

static void key_of(char key[16], const char *text) {
    size_t n = strlen(text);
    memset(key, 0, 16); /* NUL padding, as char[16] keys have */
    memcpy(key, text, n < 16 ? n : 16);
}

static int move(struct mapsync_map *m, const char *a, const char *b, long rounds) {
    char keys[2][16];
    key_of(keys[0], a);
    key_of(keys[1], b);
    long moved = 0;
    for (; moved < rounds; moved++) {
        int rc = mapsync_hash_lock_keys(m, keys, 2, 10000, NULL);
        if (rc != 0) return rc;
        struct cell c;
        int from = mapsync_hash_get(m, keys[0], &c, 0) == 0 ? 0 : 1;
        if (from == 1) rc = mapsync_hash_get(m, keys[1], &c, 0);
        c.counter++;
        if (rc == 0) rc = mapsync_hash_put(m, keys[1 - from], &c, 0);
        if (rc == 0) rc = mapsync_hash_remove(m, keys[from], 0);
        int released = mapsync_hash_unlock_keys(m, keys, 2);
        if (rc != 0 || released != 0) return rc != 0 ? rc : released;
    }
    printf("moved %ld\n", moved);
    return 0;
}

static int check(struct mapsync_map *m, const char *a, const char *b, const char *done) {
    char keys[2][16], stop[16];
    key_of(keys[0], a);
    key_of(keys[1], b);
    key_of(stop, done);
    long checked = 0, twice = 0, never = 0;
    while (mapsync_hash_get(m, stop, NULL, 10000) != 0) {
        bool found[2];
        int rc = mapsync_hash_get_all(m, keys, 2, NULL, found, 10000);
        if (rc != 0) return rc;
        checked++;
        if (found[0] && found[1]) twice++;
        if (!found[0] && !found[1]) never++;
    }
    printf("checked %ld twice %ld never %ld\n", checked, twice, never);
    return 0;
}

static int add(struct mapsync_map *m, const char *name, long times) {
    char key[16];
    key_of(key, name);
    long added = 0;
    for (; added < times; added++) {
        int rc = mapsync_hash_add(m, key, offsetof(struct cell, counter), 8, 1, NULL, 10000);
        if (rc != 0) return rc;
    }
    printf("added %ld\n", added);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: hash_txn MAP move A B ROUNDS | check A B DONE | add KEY TIMES\n");
        return 1;
    }
    struct mapsync_map m;
    int rc = mapsync_open(&m, argv[1], 0);
    if (rc == 0 && (m.key_size != 16 || m.value_size != sizeof(struct cell))) {
        fprintf(stderr, "hash_txn: map %s holds %s -> %s\n", argv[1], m.key_schema, m.value_schema);
        return 3;
    }
    if (rc == 0 && strcmp(argv[2], "move") == 0 && argc == 6) rc = move(&m, argv[3], argv[4], atol(argv[5]));
    else if (rc == 0 && strcmp(argv[2], "check") == 0 && argc == 6) rc = check(&m, argv[3], argv[4], argv[5]);
    else if (rc == 0 && strcmp(argv[2], "add") == 0 && argc == 5) rc = add(&m, argv[3], atol(argv[4]));
    else if (rc == 0) {
        fprintf(stderr, "hash_txn: unknown command %s\n", argv[2]);
        return 1;
    }
    if (rc != 0) {
        fprintf(stderr, "hash_txn: %s\n", m.error);
        return mapsync_exit_code(rc);
    }
    mapsync_close(&m);
    return 0;
}
