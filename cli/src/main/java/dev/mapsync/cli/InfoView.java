package dev.mapsync.cli;

import dev.mapsync.Backend;
import dev.mapsync.HashStats;
import dev.mapsync.MapInfo;
import dev.mapsync.internal.ring.RingLayout;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** How {@code info} and {@code list} show a map. */
final class InfoView {
    private InfoView() {}

    static Map<String, Object> json(MapInfo i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", i.name());
        m.put("file", i.file().toString());
        m.put("type", i.type().toString());
        m.put("backend", i.backend().name().toLowerCase(Locale.ROOT));
        m.put("entries", i.entries());
        m.put("value_schema", i.valueSchema() == null ? null : i.valueSchema().toString());
        m.put("value_size", i.valueSize());
        m.put("stride", i.stride());
        putFile(m, i);
        m.put("lock_stripes", i.lockStripes());
        putOrigin(m, i);
        return m;
    }

    /** The file's mode, owner and size. */
    private static void putFile(Map<String, Object> m, MapInfo i) {
        m.put("mode", String.format("%04o", i.mode()));
        m.put("owner_uid", i.ownerUid());
        m.put("file_size", i.fileSize());
    }

    /** The change log's size, who made the map and when, and the backend's details. */
    private static void putOrigin(Map<String, Object> m, MapInfo i) {
        m.put("changelog_capacity", i.changelogCapacity());
        m.put("creator_pid", i.creatorPid());
        m.put("creator_alive", i.creatorAlive());
        m.put("created_at", i.createdAt().toString());
        i.details().forEach((k, v) -> m.put(k.replace(' ', '_'), v));
    }

    static String text(MapInfo i) {
        StringBuilder b = new StringBuilder();
        line(b, "map", i.name());
        line(b, "file", i.file().toString());
        line(b, "type", i.type().toString());
        line(b, "backend", i.backend().name().toLowerCase(Locale.ROOT));
        i.details().forEach((k, v) -> line(b, k, v));
        switch (i.type()) {
            case ARRAY -> {
                line(b, "entries", Integer.toString(i.entries()));
                line(b, "value", i.valueSchema() + " (" + i.valueSize() + " bytes, stride " + i.stride() + ")");
            }
            case RING -> {
                line(b, "capacity", i.entries() + " bytes" + (i.valueSchema() == null ? ""
                        : " (" + i.entries() / RingLayout.recordSize(i.valueSize()) + " values)"));
                line(b, "records", i.valueSchema() == null ? "of any length" : "values of " + i.valueSchema() + " ("
                        + i.valueSize() + " bytes)");
            }
            case BARRIER -> line(b, "parties", Integer.toString(i.entries()));
            case COUNTER -> line(b, "counters", i.entries() + " of i64, each one cell per process slot (blocks of "
                    + i.stride() + " bytes); get prints the sum, get --cells each cell");
        }
        line(b, "mode", String.format("%04o, owner uid %d, %d bytes", i.mode(), i.ownerUid(), i.fileSize()));
        line(b, "created", i.createdAt() + " by pid " + i.creatorPid() + (i.creatorAlive() ? " (running)" : " (exited)"));
        if (i.type() == dev.mapsync.MapType.ARRAY) {
            line(b, "locks", i.lockStripes() + (i.lockStripes() == i.entries() ? " (one per entry)" : " stripes (entry i uses i % " + i.lockStripes() + ")"));
            line(b, "changelog", i.changelogCapacity() + " changes");
        }
        return b.toString();
    }

    /** The VALUE column of {@code list}: the value schema, or what a ring or barrier holds. */
    static String valueColumn(MapInfo i) {
        return switch (i.type()) {
            case ARRAY -> i.valueSchema().toString();
            case HASH -> i.keySchema() + " -> " + i.valueSchema();
            case RING -> i.valueSchema() == null ? "(records)" : i.valueSchema().toString();
            case BARRIER -> "(parties)";
            case COUNTER -> "(counters)";
        };
    }

    /** A hash map: its key, capacity, fill and probe lengths as well. */
    static Map<String, Object> json(MapInfo i, HashStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", i.name());
        m.put("file", i.file().toString());
        m.put("type", i.type().toString());
        m.put("backend", i.backend().name().toLowerCase(Locale.ROOT));
        m.put("key_schema", i.keySchema().toString());
        m.put("key_size", i.keySchema().size());
        m.put("value_schema", i.valueSchema().toString());
        m.put("value_size", i.valueSize());
        m.put("capacity", i.entries());
        m.put("entries", s.entries());
        m.put("fill_ratio", s.fillRatio());
        m.put("longest_probe", s.longestProbe() < 0 ? null : s.longestProbe());
        m.put("tombstones", s.tombstones());
        m.put("segments", s.segments());
        m.put("slots", s.slots());
        putFile(m, i);
        putOrigin(m, i);
        return m;
    }

    static String text(MapInfo i, HashStats s) {
        StringBuilder b = new StringBuilder();
        boolean kernel = i.backend() == Backend.BPF;
        line(b, "map", i.name());
        line(b, "file", i.file().toString());
        line(b, "type", i.type().toString());
        line(b, "backend", i.backend().name().toLowerCase(Locale.ROOT));
        i.details().forEach((k, v) -> line(b, k, v));
        line(b, "key", i.keySchema() + " (" + i.keySchema().size() + " bytes)");
        line(b, "value", i.valueSchema() + " (" + i.valueSize() + " bytes)");
        line(b, "capacity", Integer.toString(i.entries()));
        line(b, "entries", s.entries() + String.format(Locale.ROOT, " (fill %.1f%%)", 100 * s.fillRatio()));
        line(b, "probe", s.longestProbe() < 0 ? "not visible (the kernel's buckets)"
                : "longest " + s.longestProbe() + " slot" + (s.longestProbe() == 1 ? "" : "s") + " (" + s.slots()
                + " slots in " + s.segments() + " segment" + (s.segments() == 1 ? "" : "s") + ")");
        if (!kernel) line(b, "tombstones", Long.toString(s.tombstones()));
        line(b, "mode", String.format("%04o, owner uid %d, %d bytes", i.mode(), i.ownerUid(), i.fileSize()));
        line(b, "created", i.createdAt() + " by pid " + i.creatorPid() + (i.creatorAlive() ? " (running)" : " (exited)"));
        line(b, "locks", kernel ? i.lockStripes() + " stripes (read-modify-writes lock the key's stripe)"
                : i.lockStripes() + " (one per segment)");
        line(b, "changelog", i.changelogCapacity() + " changes");
        return b.toString();
    }

    private static void line(StringBuilder b, String key, String value) {
        b.append(String.format("%-13s %s%n", key, value)); // wide enough for "kernel map id"
    }
}
