package dev.mapsync.cli;

import dev.mapsync.HashStats;
import dev.mapsync.MapInfo;
import dev.mapsync.MapType;
import dev.mapsync.SharedHashMap;
import dev.mapsync.SharedMaps;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "info", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Describe a map: backend, geometry, schema, permissions, creator.",
                "For hash maps also how full they are and the longest probe a lookup makes (reading every segment)."})
final class InfoCommand extends MapCommand implements Runnable {
    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public String worksOn() {
        return "maps of every type";
    }

    @Override
    public void run() {
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
}
