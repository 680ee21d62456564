// Drains a user ring buffer (BPF_MAP_TYPE_USER_RINGBUF) that Java processes produce into, and counts what it
// finds in results: [0] records drained, [1] the sum of their first words, [2] records whose second word is not
// the square of the first (or that are not 16 bytes), [3] what the last drain returned.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_USER_RINGBUF);
    __uint(max_entries, 4096);
} ring SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u64);
} results SEC(".maps");

static void bump(__u32 slot, __u64 by) {
    __u64 *v = bpf_map_lookup_elem(&results, &slot);
    if (v) __sync_fetch_and_add(v, by);
}

static long on_record(struct bpf_dynptr *record, void *ctx) {
    __u64 words[2];
    if (bpf_dynptr_read(words, sizeof(words), record, 0, 0) != 0) {
        bump(2, 1);
        return 0;
    }
    bump(0, 1);
    bump(1, words[0]);
    if (words[1] != words[0] * words[0]) bump(2, 1);
    return 0;
}

SEC("syscall")
int drain(void *ctx) {
    long n = bpf_user_ringbuf_drain(&ring, on_record, NULL, 0);
    __u32 slot = 3;
    __u64 *last = bpf_map_lookup_elem(&results, &slot);
    if (last) *last = (__u64) n;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
