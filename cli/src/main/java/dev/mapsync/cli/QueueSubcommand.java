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

    private MapRef ref;

    /** The queue argument, parsed once: parsing a path asks the file system whether it is a bpf one. */
    MapRef ref() {
        if (ref == null) ref = MapRef.parse(mapArgument());
        return ref;
    }

    /**
     * A spec that opens the existing ring or queue as it is.
     *
     * @throws dev.mapsync.IncompatibleMapException if the command needs the control region other processes share and
     *                                              the ring is a kernel ring another program pinned
     */
    MapLocation existing() {
        return ref().existing(group.root.dir, SchemaOptions.NONE,
                controlRegionNeeded() ? spec.qualifiedName().substring("mapsync ".length()) : null);
    }

    /**
     * True for the commands that need the control region every process of the ring shares: producers serialize their
     * claims with its reserve lock.
     */
    boolean controlRegionNeeded() {
        return false;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
