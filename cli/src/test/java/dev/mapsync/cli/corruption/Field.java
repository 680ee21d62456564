package dev.mapsync.cli.corruption;

import java.util.List;

/**
 * One word of a template that the suite corrupts, at its FORMAT.md offset in the file (the sidecar, for a bpf map).
 *
 * @param region  the region, as FORMAT.md names it ("header", "stripe lock 3", "ring positions", ...)
 * @param name    the field ("consumer position")
 * @param offset  its offset in the file
 * @param width   4 or 8 bytes
 * @param current its value in the template, which relative values ("current + 8") start from
 * @param scale   the size that bounds the field (a capacity, a count of slots or entries), for boundary values
 * @param setup   words written before the field itself, to reach the state the field matters in (a write window
 *                opened around a journal field, a change forged around a change log entry's field)
 * @param forged  true when the words fake a change another process recorded: a watching operation writes them once
 *                it has subscribed (and again, at the head it then finds, until it ends), so that the change is
 *                one it must read
 * @param extra   values that matter to this field besides the usual ones (a ring position just past the other one)
 */
record Field(String region, String name, long offset, int width, long current, long scale, List<Poke> setup,
             boolean forged, List<Values.Value> extra) {
    Field(String region, String name, long offset, int width, long current, long scale) {
        this(region, name, offset, width, current, scale, List.of(), false, List.of());
    }

    Field(String region, String name, long offset, int width, long current, long scale, List<Poke> setup,
          boolean forged) {
        this(region, name, offset, width, current, scale, setup, forged, List.of());
    }

    Field with(Values.Value... values) {
        return new Field(region, name, offset, width, current, scale, setup, forged, List.of(values));
    }

    /** "region: name", as reports name it. */
    String label() {
        return region + ": " + name;
    }
}
