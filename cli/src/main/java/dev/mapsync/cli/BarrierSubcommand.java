package dev.mapsync.cli;

import dev.mapsync.MapLocation;
import dev.mapsync.MapSpec;
import picocli.CommandLine;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;
import java.nio.file.Path;

/** What the {@code barrier} subcommands share: the barrier argument and how to name it. */
abstract class BarrierSubcommand implements MapArgument {
    @ParentCommand
    BarrierCommand group;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    abstract String barrierArgument();

    @Override
    public String mapArgument() {
        return barrierArgument();
    }

    @Override
    public String worksOn() {
        return "barriers";
    }

    /** The barrier's name, and its folder when it was given as a path (else null: the default or --dir). */
    String name() {
        MapRef ref = MapRef.parse(barrierArgument());
        if (ref.pin() != null) throw ForeignPins.needsControlRegion(spec.qualifiedName().substring("mapsync ".length()), ref.pin());
        if (ref.backend() == dev.mapsync.Backend.BPF) {
            throw new IllegalArgumentException("a barrier lives in shared memory only; name it without bpf:");
        }
        return ref.path() != null ? ref.path().getFileName().toString() : ref.name();
    }

    Path dir() {
        MapRef ref = MapRef.parse(barrierArgument());
        return ref.path() != null ? ref.path().toAbsolutePath().getParent() : group.root.dir;
    }

    /** A spec that opens the existing barrier as it is. */
    MapLocation existing() {
        MapLocation s = MapSpec.existing(name());
        return dir() == null ? s : s.dir(dir());
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
