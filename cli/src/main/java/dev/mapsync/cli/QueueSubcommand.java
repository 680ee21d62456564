package dev.mapsync.cli;

import dev.mapsync.MapLocation;
import dev.mapsync.MapSpec;
import picocli.CommandLine;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;

/** What the {@code queue} subcommands share: the map argument and how to name it. */
abstract class QueueSubcommand implements MapArgument {
    @ParentCommand
    QueueCommand group;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public abstract String mapArgument();

    @Override
    public String worksOn() {
        return "rings (queues)";
    }

    MapRef ref() {
        return MapRef.parse(mapArgument());
    }

    /** A spec that opens the existing ring or queue as it is. */
    MapLocation existing() {
        return ref().existing(group.root.dir);
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
