package dev.mapsync.cli;

import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import picocli.CommandLine;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;

/** What the commands that work on one map share: the map argument and how to open it. */
abstract class MapCommand {
    @ParentCommand
    Main root;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.Parameters(index = "0", paramLabel = "MAP",
            description = "The map: NAME (default folder, shm), bpf:NAME (a kernel map), or a path containing '/'.")
    String map;

    MapRef ref() {
        return MapRef.parse(map);
    }

    MapSpec<Object> existing() {
        return ref().existing(root.dir);
    }

    SharedArray<Object> open(boolean readOnly) {
        return readOnly ? SharedArray.openReadOnly(existing()) : SharedArray.open(existing());
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
