// Writes bursts into a kernel ring buffer, as a bursty tracing program does. Each run writes one 16-byte record
// {seq, seq * seq} with bpf_ringbuf_output, flags 0 (the kernel wakes a consumer that has caught up); a test run
// with a repeat count of 64 is a burst of 64 records written back to back. counts[0] is the next seq (records
// attempted), counts[1] the outputs that failed because the ring was full: the records its consumer lost.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 65536);
} ring SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u64);
} counts SEC(".maps");

SEC("socket")
int burst(struct __sk_buff *skb) {
    __u32 next_key = 0, lost_key = 1;
    __u64 *next = bpf_map_lookup_elem(&counts, &next_key);
    __u64 *lost = bpf_map_lookup_elem(&counts, &lost_key);
    if (!next || !lost) return 0;
    __u64 seq = __sync_fetch_and_add(next, 1);
    __u64 record[2] = {seq, seq * seq};
    if (bpf_ringbuf_output(&ring, record, sizeof(record), 0) != 0) __sync_fetch_and_add(lost, 1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
