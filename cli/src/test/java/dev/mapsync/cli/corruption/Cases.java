package dev.mapsync.cli.corruption;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The cases: every field of every kind, with every value, under every operation (the full set), or a sample of them
 * drawn from a seed that still covers every field and every operation once and always holds the cases of the
 * defects the suite was written for.
 */
final class Cases {
    private Cases() {}

    /** Every case, in a fixed order; ids are positions. */
    static List<Case> all(Map<MapKind, List<Field>> fields, long seed) {
        List<Case> out = new ArrayList<>();
        for (var e : fields.entrySet()) {
            for (Field f : e.getValue()) {
                List<Operation> ops = f.region().startsWith("header") ? Operations.forHeader(e.getKey())
                        : Operations.forBody(e.getKey());
                for (Values.Value v : Values.of(f, seed)) {
                    for (Operation op : ops) out.add(Case.of(out.size(), e.getKey(), op, f, v));
                }
            }
        }
        return out;
    }

    /**
     * About {@code size} cases of {@code all}: each field once (a random value and operation), each operation of each
     * kind once, the named ones, then random ones; in the order of {@code all}.
     */
    static List<Case> sample(List<Case> all, long seed, int size) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<Integer, Case> chosen = new LinkedHashMap<>();
        for (Case c : all) if (named(c)) chosen.put(c.id(), c);
        Map<String, List<Case>> byField = new LinkedHashMap<>();
        Map<String, List<Case>> byOp = new LinkedHashMap<>();
        for (Case c : all) {
            byField.computeIfAbsent(c.kind() + c.field().label(), k -> new ArrayList<>()).add(c);
            byOp.computeIfAbsent(c.kind() + c.op().name(), k -> new ArrayList<>()).add(c);
        }
        for (List<Case> group : byField.values()) pick(group, random, chosen);
        for (List<Case> group : byOp.values()) pick(group, random, chosen);
        while (chosen.size() < Math.min(size, all.size())) pick(all, random, chosen);
        return all.stream().filter(c -> chosen.containsKey(c.id())).toList();
    }

    private static void pick(List<Case> group, SplittableRandom random, Map<Integer, Case> chosen) {
        Case c = group.get(random.nextInt(group.size()));
        chosen.put(c.id(), c);
    }

    /**
     * The defects of issue 13 the suite was written against: a consumer position far past the producer's, or just
     * past it, under every ring operation; a hash journal's slot index out of range and a segment's odd sequence with
     * another window's journal tag, under every hash operation.
     */
    static boolean named(Case c) {
        String f = c.field().label();
        String v = c.value().label();
        if (c.kind().isRing() && f.equals("ring positions: consumer position")) {
            return v.equals("2^40") || v.equals("producer + 16") || v.equals("current + 3");
        }
        if (c.kind() == MapKind.HASH) {
            return f.endsWith("open window: journal slot A") && v.equals("scale + 1")
                    || f.endsWith(" header: seq") && v.equals("current + 1");
        }
        return false;
    }
}
