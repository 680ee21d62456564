package dev.mapsync.cli;

import dev.mapsync.MapSpec;
import picocli.CommandLine;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;

/** What the {@code queue} subcommands share: the map argument and how to name it. */
abstract class QueueSubcommand {
    @ParentCommand
    QueueCommand group;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    abstract String mapArgument();

    MapRef ref() {
        return MapRef.parse(mapArgument());
    }

    /** A spec that opens the existing ring or queue as it is. */
    MapSpec<Object> existing() {
        return ref().existing(group.root.dir);
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
