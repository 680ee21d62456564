package dev.mapsync.cli.corruption;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The table of words to corrupt in each kind of map: every region FORMAT.md describes (header, lock records,
 * sequence words, process slots, the event block, change log entries and slot counters, a hash map's table, segment
 * headers, journal and slots, a ring's positions, consumer record and record headers, a barrier's state, break
 * record and seats, a counter map's used bitmap and cells), read from the template so that each word's current value is known.
 */
final class Fields {
    private Fields() {}

    static List<Field> of(MapKind kind, Path template) {
        Geometry g = new Geometry(template);
        List<Field> out = new ArrayList<>();
        header(g, kind, out);
        switch (kind) {
            // the records array has every word of the control region; the others, whose control region is the same
            // code's, have the lock records of the entries their operations use and the change log
            case RECORDS -> keyedControl(g, out, new int[]{3, 5, g.stripes - 1}, 3, true);
            case LONGS, BPF_RECORDS -> keyedControl(g, out, new int[]{3 % g.stripes, 5 % g.stripes}, 3, false);
            case HASH -> {
                int[] k3 = findKey(g, "k3");
                keyedControl(g, out, new int[]{k3[0], (k3[0] + 1) % g.stripes}, k3[0] * g.hashSlots() + k3[1], true);
                hashTable(g, out, k3[0], k3[1]);
            }
            case QUEUE, RING, SEALED -> ring(g, out);
            case BARRIER -> barrier(g, out);
            case COUNTER -> counter(g, out);
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------- §2 header

    private static void header(Geometry g, MapKind kind, List<Field> out) {
        String r = "header";
        add(out, g, r, "magic", 0, 8, 0);
        add(out, g, r, "layout version", 8, 4, 2);
        add(out, g, r, "ready", 12, 4, 1);
        add(out, g, r, "map type", 16, 4, 4);
        add(out, g, r, "backend", 20, 4, 1);
        add(out, g, r, "key size", 24, 4, g.keySize);
        add(out, g, r, "value size", 28, 4, 64);
        add(out, g, r, "value stride", 32, 4, 64);
        add(out, g, r, "entries", 36, 4, g.entries);
        add(out, g, r, "creator pid", 40, 4, 1 << 22);
        add(out, g, r, "flags", 44, 4, 1);
        add(out, g, r, "creator start time", 48, 8, 1L << 32);
        add(out, g, r, "creation time", 56, 8, 1L << 62);
        add(out, g, r, "control region offset", 64, 8, 4096);
        add(out, g, r, "control region length", 72, 8, 4096);
        add(out, g, r, "data region offset", 80, 8, 4096);
        add(out, g, r, "data region length", 88, 8, 4096);
        add(out, g, r, "file length", 96, 8, 4096);
        add(out, g, r, "key schema length", 104, 4, 3840);
        add(out, g, r, "value schema length", 108, 4, 3840);
        add(out, g, r, "lock stripes", 112, 4, g.entries);
        add(out, g, r, "changelog capacity", 116, 4, 16);
        add(out, g, r, "creator pid namespace", 120, 8, 1L << 32);
        add(out, g, r, "schema text", 256, 8, 0);
        if (kind.bpf) {
            String b = "header bpf area";
            add(out, g, b, "kernel map id", 128, 4, 1 << 20);
            add(out, g, b, "kernel map type", 132, 4, 27);
            add(out, g, b, "kernel map flags", 136, 4, 1024);
            add(out, g, b, "access", 140, 4, 2);
            add(out, g, b, "pin path length", 144, 4, 108);
            add(out, g, b, "pin path", 148, 8, 0);
        }
    }

    // ------------------------------------------------------------------------------- §4 control of arrays and hashes

    /**
     * @param stripes the stripes whose lock records to corrupt
     * @param key     the key a forged change names (an array index; a hash map's slot)
     * @param slots   whether to corrupt the process slots and slot counters too
     */
    private static void keyedControl(Geometry g, List<Field> out, int[] stripes, int key, boolean slots) {
        lockRecord(g, out, "map-wide lock", Geometry.MAP_LOCK);
        for (int s : new LinkedHashSet<>(java.util.Arrays.stream(stripes).boxed().toList())) {
            lockRecord(g, out, "lock of stripe " + s, g.stripe(s));
        }
        String e = "event block";
        add(out, g, e, "head", Geometry.EVENT_HEAD, 8, g.changelogCapacity);
        add(out, g, e, "waiters", Geometry.EVENT_WAITERS, 4, 1024);
        add(out, g, e, "subscribers", Geometry.EVENT_SUBSCRIBERS, 4, 1 << 30);
        if (slots) for (int s : claimedSlots(g)) processSlot(g, out, s);
        long head = g.getLong(Geometry.EVENT_HEAD);
        for (long seq : new long[]{head, head + 1}) {
            long entry = g.entryOf(seq);
            String r = "change log entry of change " + seq;
            add(out, g, r, "seq", entry, 8, g.changelogCapacity);
            add(out, g, r, "key", entry + 8, 4, g.entries);
            add(out, g, r, "pid", entry + 12, 4, 1 << 22);
            add(out, g, r, "kind", entry + 16, 4, 3);
        }
        if (slots) {
            for (int s : claimedSlots(g)) add(out, g, "slot counters", "counters of slot " + s, g.slotCounter(s), 8, 1L << 20);
        }
        String f = "forged change";
        for (String target : new String[]{"seq", "key", "pid", "kind", "head"}) {
            out.add(new Field(f, target, -1, target.equals("seq") || target.equals("head") ? 8 : 4,
                    target.equals("key") ? key : target.equals("head") ? head + 1 : 0,
                    target.equals("key") ? g.entries : g.changelogCapacity, List.of(), true));
        }
        if (g.type == 2) {
            out.add(new Field(f, "key bytes", -1, 8, 0, 0, List.of(), true));
            add(out, g, "change keys", "key bytes of change " + head, g.changeKeyOf(head), 8, 0);
        }
    }

    private static void lockRecord(Geometry g, List<Field> out, String region, long rec) {
        add(out, g, region, "lock word", rec, 4, 1 << 30);
        add(out, g, region, "owner pid", rec + 4, 4, 1 << 22);
        add(out, g, region, "owner thread", rec + 8, 8, 1);
        add(out, g, region, "held since", rec + 16, 8, 1L << 40);
        add(out, g, region, "sequence", rec + 24, 4, 2);
        add(out, g, region, "writing", rec + 28, 4, g.entries);
        add(out, g, region, "sequence and writing", rec + 24, 8, 1L << 32 | 1);
        for (int t = 0; t < 4; t++) add(out, g, region, "torn slot " + t, rec + 32 + 4L * t, 4, g.entries);
        add(out, g, region, "recovered", rec + 48, 4, 1);
    }

    /** The process slots a template's dead process used, and the last one. */
    private static Set<Integer> claimedSlots(Geometry g) {
        Set<Integer> slots = new LinkedHashSet<>();
        for (int s = 0; s < 1024; s++) if (g.getInt(g.slot(s)) != 0) slots.add(s);
        slots.add(1023);
        return slots;
    }

    private static void processSlot(Geometry g, List<Field> out, int s) {
        String r = "process slot " + s;
        long o = g.slot(s);
        add(out, g, r, "generation", o, 4, 1 << 20);
        add(out, g, r, "pid", o + 4, 4, 1 << 22);
        add(out, g, r, "start time", o + 8, 8, 1L << 32);
        add(out, g, r, "pid namespace", o + 16, 8, 1L << 32);
        add(out, g, r, "claimed at", o + 24, 8, 1L << 40);
    }

    // ---------------------------------------------------------------------------------------------- §10 hash

    /** The segment and slot of {@code key} in the table: its bytes, NUL-padded, after a slot's meta and home. */
    static int[] findKey(Geometry g, String key) {
        byte[] want = java.util.Arrays.copyOf(key.getBytes(StandardCharsets.UTF_8), 8);
        long word = java.nio.ByteBuffer.wrap(want).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        for (int seg = 0; seg < g.hashSegments(); seg++) {
            for (int i = 0; i < g.hashSlots(); i++) {
                long slot = g.hashSlot(seg, i);
                if ((g.getInt(slot) & 3) == 2 && g.getLong(slot + 8) == word) return new int[]{seg, i};
            }
        }
        throw new IllegalStateException("the template has no key " + key);
    }

    private static void hashTable(Geometry g, List<Field> out, int seg, int slot) {
        long d = g.dataOffset;
        String t = "hash table header";
        add(out, g, t, "seed", d, 8, 0);
        add(out, g, t, "segments", d + 8, 4, g.hashSegments());
        add(out, g, t, "slots per segment", d + 12, 4, g.hashSlots());
        add(out, g, t, "slot size", d + 16, 4, g.hashSlotSize());
        add(out, g, t, "segment header size", d + 20, 4, 64);
        add(out, g, t, "segment size", d + 24, 8, 4096);
        add(out, g, t, "segments offset", d + 32, 8, 4096);
        add(out, g, t, "entries hint", d + 40, 8, g.entries);
        add(out, g, "hash live counts", "live entries of segment " + seg, d + 64 + 4L * seg, 4, g.hashSlots());
        long s = g.hashSegment(seg);
        String h = "segment " + seg + " header";
        int slots = g.hashSlots();
        add(out, g, h, "seq", s, 4, 2);
        add(out, g, h, "tombstones", s + 4, 4, slots);
        add(out, g, h, "journal tag", s + 8, 4, 2);
        add(out, g, h, "journal flags", s + 12, 4, 3);
        add(out, g, h, "journal slot A", s + 16, 4, slots);
        add(out, g, h, "journal slot A meta", s + 20, 4, 2);
        add(out, g, h, "journal slot B", s + 24, 4, slots);
        add(out, g, h, "journal slot B meta", s + 28, 4, 2);
        add(out, g, h, "journal live count", s + 32, 4, slots);
        add(out, g, h, "journal tombstones", s + 36, 4, slots);
        add(out, g, h, "image", s + 64, 8, 0);
        // the same journal words in a write window left open (a writer died in it), the key's slot as slot A
        int seq = g.getInt(s);
        long keySlot = g.hashSlot(seg, slot);
        List<Poke> window = List.of(new Poke(s + 16, 4, slot + 1), new Poke(s + 20, 4, g.getInt(keySlot)),
                new Poke(s + 24, 4, 0), new Poke(s + 32, 4, g.getInt(d + 64 + 4L * seg)), new Poke(s + 36, 4, 0),
                new Poke(s + 12, 4, 0), new Poke(s + 8, 4, seq + 1), new Poke(s + 0, 4, seq + 1));
        String w = "segment " + seg + " open window";
        String[] names = {"journal tag", "journal flags", "journal slot A", "journal slot A meta", "journal slot B",
                "journal slot B meta", "journal live count", "journal tombstones", "image"};
        long[] offsets = {8, 12, 16, 20, 24, 28, 32, 36, 64};
        for (int i = 0; i < names.length; i++) {
            long o = s + offsets[i];
            int width = names[i].equals("image") ? 8 : 4;
            long current = window.stream().filter(p -> p.offset() == o).mapToLong(Poke::value).findFirst()
                    .orElse(width == 4 ? g.getInt(o) : g.getLong(o));
            out.add(new Field(w, names[i], o, width, current, slots, window, false));
        }
        int empty = -1;
        for (int i = 0; i < slots && empty < 0; i++) if (g.getInt(g.hashSlot(seg, i)) == 0) empty = i;
        for (int i : new LinkedHashSet<>(List.of(slot, (slot + 1) % slots, empty))) {
            if (i < 0) continue;
            long o = g.hashSlot(seg, i);
            String r = "segment " + seg + " slot " + i + (i == slot ? " (key k3)" : "");
            add(out, g, r, "meta", o, 4, 2);
            add(out, g, r, "home", o + 4, 4, slots);
        }
    }

    // ---------------------------------------------------------------------------------------------- §7 rings

    private static void ring(Geometry g, List<Field> out) {
        long capacity = Integer.toUnsignedLong(g.entries);
        String p = "ring positions";
        long consumer = g.getLong(Geometry.CONSUMER), producer = g.getLong(Geometry.PRODUCER);
        // positions out of order by a record, or by a whole ring
        add(out, g, p, "producer position", Geometry.PRODUCER, 8, capacity);
        out.set(out.size() - 1, out.getLast().with(new Values.Value("consumer - 8", consumer - 8),
                new Values.Value("consumer + capacity + 8", consumer + capacity + 8)));
        add(out, g, p, "consumer position", Geometry.CONSUMER, 8, capacity);
        out.set(out.size() - 1, out.getLast().with(new Values.Value("producer + 8", producer + 8),
                new Values.Value("producer + 16", producer + 16), new Values.Value("producer - capacity - 8",
                        producer - capacity - 8)));
        String l = "ring reserve line";
        add(out, g, l, "reserve lock", Geometry.RESERVE_LOCK, 4, 1 << 30);
        add(out, g, l, "sealed", Geometry.SEALED, 4, 1);
        add(out, g, "ring wait words", "consumer wait", Geometry.CONSUMER_WAIT, 4, 1);
        add(out, g, "ring wait words", "producer wait", Geometry.PRODUCER_WAIT, 4, 1);
        String c = "ring consumer record";
        long r = Geometry.CONSUMER_RECORD;
        add(out, g, c, "pid", r, 4, 1 << 22);
        add(out, g, c, "start time", r + 8, 8, 1L << 32);
        add(out, g, c, "pid namespace", r + 16, 8, 1L << 32);
        add(out, g, c, "since", r + 24, 8, 1L << 40);
        add(out, g, c, "records lost", r + 32, 8, 1L << 32);
        add(out, g, c, "bytes lost", r + 40, 8, capacity);
        add(out, g, c, "fences", r + 48, 4, 1);
        long first = g.dataOffset + (consumer & (capacity - 1));
        String h = "record header at the consumer position";
        add(out, g, h, "length and flags", first, 4, capacity);
        // a record longer than what was produced after it, but shorter than the ring
        out.set(out.size() - 1, out.getLast().with(new Values.Value("produced", producer - consumer)));
        add(out, g, h, "claimer token", first + 4, 4, 1 << 30);
        add(out, g, h, "whole header", first, 8, capacity);
        long length = g.getInt(first) & ((1 << 30) - 1);
        long second = g.dataOffset + ((consumer + ((length + 15) & ~7L)) & (capacity - 1));
        add(out, g, "record header after it", "length and flags", second, 4, capacity);
        add(out, g, "record header at the producer position", "length and flags",
                g.dataOffset + (producer & (capacity - 1)), 4, capacity);
        for (int s : claimedSlots(g)) processSlot(g, out, s);
    }

    // ------------------------------------------------------------------------------------------- §9 barriers

    private static void barrier(Geometry g, List<Field> out) {
        int parties = g.entries;
        String s = "barrier state";
        add(out, g, s, "state word", Geometry.STATE, 8, parties);
        add(out, g, s, "arrived, broken and tripped bits", Geometry.STATE, 4, parties);
        add(out, g, s, "generation", Geometry.STATE + 4, 4, 1L << 31);
        add(out, g, s, "wake word", Geometry.WAKE, 4, 1);
        String b = "barrier break record";
        long r = Geometry.BREAK_RECORD;
        add(out, g, b, "generation", r, 4, 1);
        add(out, g, b, "why", r + 4, 4, 4);
        add(out, g, b, "pid", r + 8, 4, 1 << 22);
        add(out, g, b, "when", r + 16, 8, 1L << 40);
        add(out, g, b, "parties that waited", r + 24, 4, parties);
        add(out, g, b, "last tripped", r + 28, 4, 1);
        for (int i = 0; i < parties; i++) {
            long seat = Geometry.SEATS + 16L * i;
            add(out, g, "barrier seat " + i, "token", seat, 4, 1 << 30);
            add(out, g, "barrier seat " + i, "pid", seat + 4, 4, 1 << 22);
            add(out, g, "barrier seat " + i, "joined at", seat + 8, 8, 1L << 40);
        }
        for (int slot : claimedSlots(g)) processSlot(g, out, slot);
    }

    // ------------------------------------------------------------------------------------------ §11 counter maps

    private static void counter(Geometry g, List<Field> out) {
        String u = "counter used bitmap";
        Set<Integer> words = new LinkedHashSet<>(List.of(0, 15));
        Set<Integer> used = new LinkedHashSet<>();
        for (int w = 0; w < 16; w++) {
            long bits = g.getLong(Geometry.USED + 8L * w);
            if (bits != 0) words.add(w);
            for (int b = 0; b < 64; b++) if ((bits >>> b & 1) != 0) used.add(w * 64 + b);
        }
        for (int w : words) add(out, g, u, "word " + w, Geometry.USED + 8L * w, 8, 1L << 63);
        add(out, g, u, "summary", Geometry.USED_SUMMARY, 8, 1 << 16);
        used.add(1023); // a slot no handle held
        for (int s : used) {
            for (int i : new int[]{0, 3}) {
                add(out, g, "counter cells of slot " + s, "counter " + i, g.dataOffset + (long) s * g.stride + 8L * i, 8,
                        1L << 62);
            }
        }
        for (int slot : claimedSlots(g)) processSlot(g, out, slot);
    }

    private static void add(List<Field> out, Geometry g, String region, String name, long offset, int width, long scale) {
        long current = width == 4 ? g.getInt(offset) : g.getLong(offset);
        out.add(new Field(region, name, offset, width, current, scale));
    }
}
