package dev.mapsync.cli;

import dev.mapsync.HashStats;
import dev.mapsync.MapInfo;
import dev.mapsync.MapLocation;
import dev.mapsync.MapType;
import dev.mapsync.SharedHashMap;
import dev.mapsync.SharedMaps;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "info", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Describe a map: backend, geometry, schema, permissions, creator.",
                "For hash maps also how full they are and the longest probe a lookup makes (reading every segment)."})
final class InfoCommand extends SchemaMapCommand implements Runnable {
    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public String worksOn() {
        return "maps of every type";
    }

    @Override
    public void run() {
        MapRef ref = ref();
        if (ref.isForeign(root.dir)) {
            foreign(ref.pin());
            return;
        }
        MapInfo info = SharedMaps.info(existing());
        if (info.type() == MapType.HASH) {
            HashStats stats;
            try (SharedHashMap<Object, Object> hash = SharedHashMap.openReadOnly(existing())) {
                info = hash.info();
                stats = hash.stats();
            }
            if (json) out().println(Json.of(InfoView.json(info, stats)));
            else out().print(InfoView.text(info, stats));
            return;
        }
        if (json) out().println(Json.of(InfoView.json(info)));
        else out().print(InfoView.text(info));
    }

    /** A kernel map another program pinned: what the kernel says of it, and how the commands reach it. */
    private void foreign(java.nio.file.Path pin) {
        MapLocation at = existing();
        var kernel = KernelPins.describe(pin);
        MapInfo info = SharedMaps.info(at);
        long entries = 0;
        if (info.type() == MapType.HASH) {
            try (SharedHashMap<Object, Object> hash = SharedHashMap.openReadOnly(at)) {
                entries = hash.stats().entries();
            }
        }
        boolean given = schemaOptions().given();
        if (json) out().println(Json.of(KernelPinView.json(pin, kernel, info, entries, given)));
        else out().print(KernelPinView.text(pin, kernel, info, entries, given));
    }
}
