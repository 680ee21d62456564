package dev.mapsync.cli;

import dev.mapsync.MapInfo;
import dev.mapsync.MapType;
import dev.mapsync.internal.sys.Cpus;
import dev.mapsync.internal.sys.KernelMapInfo;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How {@code info} shows a kernel map pinned by another program, and how {@code list --kernel} shows pinned maps. */
final class KernelPinView {
    private KernelPinView() {}

    /** What a foreign pin lacks, said where the sidecar of a mapsync map would be shown. */
    static final String NO_SIDECAR = "none: another program pinned it; lock, locks, unlock, wait, watch without"
            + " --poll and queue put need mapsync's control region";

    /**
     * The description of the map pinned at {@code pin}: what the kernel says of it, its schema as the commands use it
     * ({@code info} from its private adoption), and how its values are reached.
     *
     * @param entries the hash map's current number of entries; ignored for other types
     */
    static Map<String, Object> json(Path pin, KernelMapInfo k, MapInfo i, long entries, boolean schemaGiven) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("map", pin.toString());
        m.put("type", i.type().toString());
        m.put("backend", "bpf");
        m.put("kernel_map_id", k.id());
        m.put("kernel_map", kernelMap(k));
        m.put("kernel_name", k.name());
        m.put("key_size", k.keySize());
        m.put("value_size", k.valueSize());
        m.put("max_entries", k.maxEntries());
        m.put("flags", KernelPins.flagsText(k.flags()));
        m.put("btf", k.hasBtf());
        m.put("schema_from", schemaGiven ? "options" : i.type() == MapType.RING ? null : "btf");
        m.put("access", KernelPins.access(k));
        m.put("sidecar", null);
        m.put("cpus", k.isPerCpu() ? Cpus.possible() : null);
        if (i.type() == MapType.HASH) m.put("key_schema", i.keySchema().toString());
        m.put("value_schema", i.valueSchema() == null ? null : i.valueSchema().toString());
        if (i.type() == MapType.HASH) m.put("entries", entries);
        return m;
    }

    static String text(Path pin, KernelMapInfo k, MapInfo i, long entries, boolean schemaGiven) {
        StringBuilder b = new StringBuilder();
        line(b, "map", pin.toString());
        line(b, "type", i.type().toString());
        line(b, "backend", "bpf");
        line(b, "kernel map id", Integer.toString(k.id()));
        line(b, "kernel map", kernelMap(k));
        line(b, "kernel name", k.name().isEmpty() ? "(none)" : k.name());
        line(b, "btf", k.hasBtf() ? "yes" + (schemaGiven ? " (the schema given by options is used)" : "")
                : "no" + (schemaGiven ? " (schema given by options)" : ""));
        line(b, "access", KernelPins.access(k) + (KernelPins.access(k).equals("mmap") ? "" : " (bpf(2) for every value)"));
        line(b, "sidecar", NO_SIDECAR);
        if (k.isPerCpu()) line(b, "per cpu", Cpus.possible() + " values per key (get prints their sum, --per-cpu each)");
        switch (i.type()) {
            case ARRAY -> {
                line(b, "entries", Integer.toString(i.entries()));
                line(b, "value", i.valueSchema() + " (" + i.valueSize() + " bytes, stride " + i.stride() + ")");
            }
            case HASH -> {
                line(b, "key", i.keySchema() + " (" + i.keySchema().size() + " bytes)");
                line(b, "value", i.valueSchema() + " (" + i.valueSize() + " bytes)");
                line(b, "capacity", Integer.toString(i.entries()));
                line(b, "entries", Long.toString(entries));
            }
            case RING -> {
                line(b, "capacity", i.entries() + " bytes");
                line(b, "records", "of any length");
            }
            case BARRIER -> throw new IllegalStateException("a kernel map is no barrier");
            case COUNTER -> throw new IllegalStateException("a kernel map is no counter map");
        }
        return b.toString();
    }

    /** The kernel's type and flags: an array says whether it is mmapable, since that decides its access. */
    static String kernelMap(KernelMapInfo k) {
        String flags = KernelPins.flagsText(k.flags() & ~KernelMapInfo.F_MMAPABLE);
        String text = k.typeName();
        if (k.isArray()) text += k.mmapable() ? ", mmapable" : ", not mmapable";
        return flags.equals("-") ? text : text + ", " + flags;
    }

    /** The rows of {@code list --kernel}: a header, then one line per pinned map, the path column as wide as needed. */
    static String table(List<KernelPins.Pinned> maps) {
        int width = "PATH".length();
        for (KernelPins.Pinned p : maps) width = Math.max(width, p.pin().toString().length());
        String format = "%-" + width + "s %-15s %5s %7s %9s %-12s %-3s %s%n";
        StringBuilder b = new StringBuilder();
        b.append(String.format(format, "PATH", "TYPE", "KEY", "VALUE", "ENTRIES", "FLAGS", "BTF", "OPENS"));
        for (KernelPins.Pinned p : maps) {
            KernelMapInfo k = p.info();
            b.append(String.format(format, p.pin(), k.typeName(), k.keySize(), k.valueSize(), k.maxEntries(),
                    KernelPins.flagsText(k.flags()), k.hasBtf() ? "yes" : "no", KernelPins.opensWith(k)));
        }
        return b.toString();
    }

    /** One pinned map of {@code list --kernel --json}. */
    static Map<String, Object> json(KernelPins.Pinned p) {
        KernelMapInfo k = p.info();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", p.pin().toString());
        m.put("type", k.typeName());
        m.put("id", k.id());
        m.put("key_size", k.keySize());
        m.put("value_size", k.valueSize());
        m.put("max_entries", k.maxEntries());
        m.put("flags", KernelPins.flagsText(k.flags()));
        m.put("mmapable", k.mmapable());
        m.put("btf", k.hasBtf());
        String access = KernelPins.access(k);
        m.put("opens", !access.equals("no"));
        m.put("access", access.equals("no") ? null : access);
        m.put("needs_schema", !access.equals("no") && !KernelPins.hasSchema(k));
        return m;
    }

    private static void line(StringBuilder b, String key, String value) {
        b.append(String.format("%-13s %s%n", key, value));
    }
}
