package dev.mapsync.cli.chaos;

/** The kinds of worker processes the chaos soak runs and kills; each has {@link Setup#processes()} slots. */
public enum Kind {
    TRANSFER("transfer", "locked transfers"),
    RECORD("record", "record writers"),
    HASH("hash", "hash writers"),
    PRODUCER("producer", "queue producers"),
    PARTY("party", "barrier parties");

    /** The kind's name on a worker's command line and in its log file's name. */
    final String id;
    /** What the kind's processes are, for reports. */
    final String title;

    Kind(String id, String title) {
        this.id = id;
        this.title = title;
    }

    /** The kind's first slot. */
    int firstSlot(int processes) {
        return ordinal() * processes;
    }

    /** The kind whose slots include {@code slot}. */
    static Kind ofSlot(int slot, int processes) {
        return values()[slot / processes];
    }

    static Kind ofId(String id) {
        for (Kind k : values()) if (k.id.equals(id)) return k;
        throw new IllegalArgumentException("unknown chaos worker kind " + id);
    }
}
