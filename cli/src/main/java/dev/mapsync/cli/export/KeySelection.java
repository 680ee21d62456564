package dev.mapsync.cli.export;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The entries of an array or a hash map that {@code --keys} chose: integer keys (an array's indexes, a hash map's
 * integer keys) as ascending ranges that neither overlap nor touch, and other keys by their text form, each once, so
 * that no series is served twice. Ranges are not expanded: a range of a billion keys costs nothing until it would be
 * read, which the series limit prevents. Immutable and thread-safe.
 *
 * @param ranges integer keys, {@code from..to} inclusive, merged and ascending
 * @param listed other keys: the text form {@code mapsync get} prints of each, to the key
 */
public record KeySelection(List<Range> ranges, Map<String, Object> listed) {
    /** Integer keys {@code from..to}, inclusive. */
    public record Range(long from, long to) {
        public Range {
            if (from > to) throw new IllegalArgumentException("a range from " + from + " to " + to);
        }

        /** The keys of the range; Long.MAX_VALUE for more (a range wider than a long counts). */
        long count() {
            long n = to - from + 1;
            return n > 0 ? n : Long.MAX_VALUE;
        }
    }

    /** The selection of {@code ranges} (in any order, overlapping or not) and {@code listed}. */
    public KeySelection {
        List<Range> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparingLong(Range::from));
        List<Range> merged = new ArrayList<>();
        for (Range r : sorted) {
            Range last = merged.isEmpty() ? null : merged.getLast();
            // overlapping or adjacent (written so that neither test overflows at the ends of the long range)
            if (last != null && (r.from() <= last.to() || r.from() - last.to() == 1)) {
                merged.set(merged.size() - 1, new Range(last.from(), Math.max(last.to(), r.to())));
            } else {
                merged.add(r);
            }
        }
        ranges = List.copyOf(merged);
        listed = Collections.unmodifiableMap(new LinkedHashMap<>(listed));
    }

    /** How many keys are chosen, whether the map holds them or not. */
    public long count() {
        long n = listed.size();
        for (Range r : ranges) {
            n += r.count();
            if (n < 0) return Long.MAX_VALUE;
        }
        return n;
    }
}
