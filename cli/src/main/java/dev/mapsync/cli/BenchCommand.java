package dev.mapsync.cli;

import dev.mapsync.launch.Jvm;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Run the cross-process benchmarks (notification round trips, processes",
                "sharing a counter, lock contention, ring throughput and round trips, the start-up of commands)",
                "against the peers users pick today, measured in the same run, and print",
                "a table of ratios. JMH covers the single-process operations: see",
                "docs/BENCHMARKS.md."})
final class BenchCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--quick", description = "Fewer rounds: a smoke run of a few seconds, not for publishing.")
    boolean quick;

    @Option(names = "--startup", description = "Only the start-up figures: whole-process times of commands against"
            + " java -version, flock(1) and bpftool, and the Java API's first calls.")
    boolean startup;

    @Option(names = "--counters", description = "Only the counter figures: P processes adding to a sharded counter"
            + " (SharedCounters), to one contended mapsync slot, to one Agrona slot and through the JDK's own VarHandle"
            + " (the floor), what reading each costs, and where one slot is the better choice.")
    boolean counters;

    @Option(names = "--replication", description = "Only the replication figures: how far behind its leader a read"
            + " replica is as a reader of it sees it, at 10,000, 100,000 and 1,000,000 changes a second, and the rate"
            + " it keeps up with against Aeron's own on the same link (UDP on loopback).")
    boolean replication;

    @Option(names = "--json", description = "Print every figure as one JSON document (the table goes to stderr).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Path jar = benchmarksJar();
        if (!Files.isRegularFile(jar)) {
            throw new CommandFailure("the benchmarks are not built (" + jar + " is missing): run bin/mapsync, which"
                    + " builds them, or mvn -pl bench -am package");
        }
        Jvm report = Jvm.main("dev.mapsync.bench.cross.Report").classPath(jar.toString())
                .jvmOptions("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED").inheritIO().endWithParent();
        if (quick) report.args("--quick");
        if (startup) report.args("--startup");
        if (counters) report.args("--counters");
        if (replication) report.args("--replication");
        if (json) report.args("--json", "-");
        spec.commandLine().getOut().flush();
        return report.start().process().waitFor();
    }

    /** bench/target/benchmarks.jar of the checkout this command was built in. */
    private static Path benchmarksJar() throws Exception {
        Path self = Path.of(BenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path cliTarget = Files.isDirectory(self) ? self.getParent() : self.getParent(); // target/classes or target/mapsync.jar
        return cliTarget.getParent().getParent().resolve("bench" + File.separator + "target" + File.separator + "benchmarks.jar");
    }
}
