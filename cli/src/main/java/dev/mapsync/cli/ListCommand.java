package dev.mapsync.cli;

import dev.mapsync.MapInfo;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedMaps;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.Locale;

@Command(name = "list", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = "List the maps in the folder (shm maps and bpf maps' sidecars).")
final class ListCommand implements Runnable {
    @ParentCommand
    Main root;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--json", description = "Print one JSON array of map descriptions.")
    boolean json;

    @Override
    public void run() {
        List<MapInfo> maps = SharedMaps.list(root.dir != null ? root.dir : MapSpec.defaultDir());
        var out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.of(maps.stream().map(InfoView::json).toList()));
            return;
        }
        if (maps.isEmpty()) return;
        out.printf("%-24s %-7s %-6s %9s  %s%n", "NAME", "BACKEND", "TYPE", "ENTRIES", "VALUE");
        for (MapInfo m : maps) {
            String name = (m.backend() == dev.mapsync.Backend.BPF ? "bpf:" : "") + m.name();
            out.printf("%-24s %-7s %-6s %9d  %s%n", name, m.backend().name().toLowerCase(Locale.ROOT), m.type(),
                    m.entries(), m.type() == dev.mapsync.MapType.HASH ? m.keySchema() + " -> " + m.valueSchema() : m.valueSchema());
        }
    }
}
