package dev.mapsync.cli.corruption;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What the suite writes into a field: zeros, all-ones, garbage (random, from the run's seed), the extremes of the
 * word, boundary values around the field's scale (a capacity, a count), and values next to the current one (off by
 * one, odd, unaligned, a record further): the values a bug, a torn write or a hostile peer leaves.
 */
final class Values {
    private Values() {}

    /** A value with the name reports give it. */
    record Value(String label, long value) {}

    /** The distinct values for {@code field} (as its width stores them), garbage drawn from {@code seed}. */
    static List<Value> of(Field field, long seed) {
        long cur = field.current();
        long scale = field.scale();
        boolean wide = field.width() == 8;
        List<Value> candidates = new ArrayList<>(List.of(
                new Value("0", 0), new Value("all ones", -1), new Value("1", 1),
                new Value("current + 1", cur + 1), new Value("current + 3", cur + 3),
                new Value("current + 8", cur + 8), new Value("current - 8", cur - 8), new Value("2^31", 1L << 31),
                new Value("min", wide ? Long.MIN_VALUE : Integer.MIN_VALUE),
                new Value("scale", scale), new Value("scale + 8", scale + 8)));
        if (wide) candidates.add(new Value("2^40", 1L << 40));
        candidates.addAll(field.extra());
        SplittableRandom random = new SplittableRandom(seed ^ field.label().hashCode() * 0x9E3779B97F4A7C15L);
        candidates.add(new Value("garbage", random.nextLong()));
        Map<Long, Value> distinct = new LinkedHashMap<>();
        for (Value v : candidates) {
            long stored = wide ? v.value() : (long) (int) v.value();
            if (stored == (wide ? cur : (long) (int) cur)) continue; // writing what is there corrupts nothing
            distinct.putIfAbsent(stored, new Value(v.label(), stored));
        }
        return new ArrayList<>(distinct.values());
    }
}
