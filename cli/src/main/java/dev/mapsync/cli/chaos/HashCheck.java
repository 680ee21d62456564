package dev.mapsync.cli.chaos;

import dev.mapsync.SharedHashMap;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The coordinator's checks of the hash writers' map. While they run: a value read is whole and not older than the
 * one acknowledged before the read (a key acknowledged removed at version v never shows version v or older again),
 * and an iteration gives every key at most once, each with a whole value. While they are paused: every key holds
 * exactly what was acknowledged (put: present with that version; removed: absent), an iteration gives exactly the
 * keys present, once each, and the size agrees.
 */
final class HashCheck {
    private final SharedHashMap<Long, Cell> map;
    private final Control control;
    private final Setup setup;
    private final SplittableRandom random;

    HashCheck(SharedHashMap<Long, Cell> map, Control control, Setup setup, long seed) {
        this.map = map;
        this.control = control;
        this.setup = setup;
        this.random = new SplittableRandom(seed);
    }

    /** Reads {@code n} random keys; adds what is wrong. */
    void readSample(int n, List<String> violations) {
        int first = Kind.HASH.firstSlot(setup.processes());
        for (int r = 0; r < n; r++) {
            int worker = random.nextInt(setup.processes()), i = random.nextInt(Cell.KEYS);
            long key = Cell.key(worker, i);
            long acked = control.get(Cell.ackWord(first + worker, i));
            Cell c = map.get(key);
            if (c == null) continue; // removed since, or never put: absence is never older than an acknowledgement
            if (!c.wholeFor(key)) violations.add("hash: key " + Long.toHexString(key) + " was read half-written: " + c);
            else if (acked > 0 ? c.version() < acked : c.version() <= -acked) {
                violations.add("hash: key " + Long.toHexString(key) + " read as version " + c.version() + " after "
                        + Cell.describe(acked) + " was acknowledged");
            }
        }
    }

    /** One iteration over the whole map: returns the keys it gave, and adds what is wrong. */
    Set<Long> iterate(List<String> violations) {
        Set<Long> seen = new HashSet<>();
        for (Map.Entry<Long, Cell> e : map) {
            long key = e.getKey();
            if (!seen.add(key)) violations.add("hash: an iteration gave key " + Long.toHexString(key) + " twice");
            if (!e.getValue().wholeFor(key)) {
                violations.add("hash: an iteration gave key " + Long.toHexString(key) + " a half-written value: "
                        + e.getValue());
            }
        }
        return seen;
    }

    /** The check while every writer is paused. */
    List<String> pausedCheck() {
        List<String> violations = new ArrayList<>();
        Set<Long> expected = new HashSet<>();
        int first = Kind.HASH.firstSlot(setup.processes());
        for (int w = 0; w < setup.processes(); w++) {
            long intent = control.slot(first + w, Control.INTENT);
            if (intent != 0) violations.add("hash: writer slot " + (first + w) + " still has an intent while paused");
            for (int i = 0; i < Cell.KEYS; i++) {
                long key = Cell.key(w, i);
                long acked = control.get(Cell.ackWord(first + w, i));
                if (acked > 0) expected.add(key);
                Cell c = map.get(key);
                if (c != null && !c.wholeFor(key)) {
                    violations.add("hash: key " + Long.toHexString(key) + " was read half-written: " + c);
                } else if (!Cell.matches(c, acked)) {
                    violations.add("hash: key " + Long.toHexString(key) + " holds "
                            + (c == null ? "nothing" : "version " + c.version()) + ", but " + Cell.describe(acked)
                            + " was acknowledged");
                }
            }
        }
        Set<Long> seen = iterate(violations);
        if (!seen.equals(expected)) {
            Set<Long> extra = new HashSet<>(seen), missing = new HashSet<>(expected);
            extra.removeAll(expected);
            missing.removeAll(seen);
            violations.add("hash: an iteration gave " + seen.size() + " keys, expected " + expected.size() + " (extra "
                    + hex(extra) + ", missing " + hex(missing) + ")");
        }
        long size = map.size();
        if (size != expected.size()) {
            violations.add("hash: size() is " + size + ", but " + expected.size() + " keys are present");
        }
        return violations;
    }

    private static String hex(Set<Long> keys) {
        return keys.stream().limit(5).map(Long::toHexString).toList() + (keys.size() > 5 ? "..." : "");
    }
}
