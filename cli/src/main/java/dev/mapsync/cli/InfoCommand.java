package dev.mapsync.cli;

import dev.mapsync.MapInfo;
import dev.mapsync.SharedMaps;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "info", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = "Describe a map: backend, geometry, schema, permissions, creator.")
final class InfoCommand extends MapCommand implements Runnable {
    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public void run() {
        MapInfo info = SharedMaps.info(existing());
        if (json) out().println(Json.of(InfoView.json(info)));
        else out().print(InfoView.text(info));
    }
}
