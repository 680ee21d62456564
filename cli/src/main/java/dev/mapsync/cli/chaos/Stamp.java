package dev.mapsync.cli.chaos;

import dev.mapsync.ArraySpec;
import dev.mapsync.Chars;
import dev.mapsync.MapSpec;
import dev.mapsync.Size;

import java.util.Arrays;

/**
 * A value of the record writers' map: version {@code version} of entry {@code entry}, every other field a function
 * of those two, so that a reader can tell a whole value from halves of two writes. It has an array and a string, so
 * that reads decode from a copy made between two reads of the sequence word (the other path than the ledger's
 * records of plain longs, which are read in place).
 */
record Stamp(long entry, long version, @Size(4) long[] words, @Chars(24) String tag, long check) {
    /** Entries of the map, guarded by {@value #STRIPES} locks: a torn entry shares its lock with three others. */
    static final int ENTRIES = 64, STRIPES = 16;

    static Stamp of(long entry, long version) {
        long[] words = new long[4];
        for (int i = 0; i < words.length; i++) words[i] = Mix.of(entry, version, i);
        return new Stamp(entry, version, words, "e" + entry + "v" + version, Mix.of(entry, version, -1));
    }

    /** True when every field agrees with the entry and version, and the entry is {@code index}. */
    boolean wholeAt(int index) {
        Stamp expected = of(index, version);
        return entry == index && Arrays.equals(words, expected.words) && tag.equals(expected.tag)
                && check == expected.check;
    }

    static ArraySpec<Stamp> spec(Setup setup) {
        return MapSpec.array(setup.name("records"), Stamp.class, ENTRIES).lockStripes(STRIPES)
                .backend(setup.backend()).dir(setup.dir());
    }

    /** A record writer's intent word: it is about to write version {@code version} of entry {@code entry}. */
    static long intent(int entry, long version) {
        return (long) (entry + 1) << 40 | version;
    }

    static int intentEntry(long intent) {
        return (int) (intent >>> 40) - 1;
    }

    static long intentVersion(long intent) {
        return intent & ((1L << 40) - 1);
    }

    /**
     * The version a writer was writing into {@code entry} when it was killed: the highest among the record writers'
     * intents that name it (an older intent that names it is a writer killed after its write, before it cleared
     * the intent); 0 when none does.
     */
    static long intendedVersion(Control control, Setup setup, int entry) {
        long best = 0;
        int first = Kind.RECORD.firstSlot(setup.processes());
        for (int s = first; s < first + setup.processes(); s++) {
            long intent = control.slot(s, Control.INTENT);
            if (intent != 0 && intentEntry(intent) == entry) best = Math.max(best, intentVersion(intent));
        }
        return best;
    }
}
