package dev.mapsync.cli;

import dev.mapsync.Backend;
import dev.mapsync.cli.demo.CounterPhase;
import dev.mapsync.cli.demo.LockPhase;
import dev.mapsync.cli.demo.PhaseResult;
import dev.mapsync.cli.demo.QueuePhase;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = {
        "Show processes sharing maps. Counters: worker JVMs make atomic increments on shared and private counters,",
        "then every counter is checked against its exact expected value. Locks: workers transfer amounts between",
        "record accounts under multi-key locks while checker processes verify that the total never changes and",
        "that no record is ever read half-written. Queue: producer processes send numbered records through one ring",
        "(on bpf: a kernel ring buffer, each record written by a BPF program) to one consumer, which checks that each",
        "arrives exactly once and in its producer's order. Every phase ends on a barrier all its processes meet at.",
        "Exits 0 when every check holds, 6 when one does not."})
final class DemoCommand implements Callable<Integer> {
    @ParentCommand
    Main root;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--processes", defaultValue = "4", paramLabel = "P", description = "Worker processes (default ${DEFAULT-VALUE}).")
    int processes;

    @Option(names = "--ops", defaultValue = "2000000", paramLabel = "N", description = "Operations per worker (default ${DEFAULT-VALUE}).")
    long ops;

    @Option(names = "--backend", defaultValue = "shm", paramLabel = "shm|bpf", description = "Backend (default ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--json", description = "End with one JSON object: ok, backend, processes, operations, violations, ops_per_sec.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (processes < 1 || processes > 64) throw new IllegalArgumentException("--processes must be 1..64, not " + processes);
        if (ops < 1) throw new IllegalArgumentException("--ops must be at least 1, not " + ops);
        Backend b = BackendName.parse(backend);
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        String name = "demo-" + ProcessHandle.current().pid();
        out.printf("mapsync demo on the %s backend: %d worker processes share map '%s'%n",
                b.name().toLowerCase(Locale.ROOT), processes, name);
        out.flush();

        List<PhaseResult> phases = new ArrayList<>();
        phases.add(CounterPhase.run(name, root.dir, b, processes, ops, err));
        phases.add(LockPhase.run(name, root.dir, b, processes, Math.max(1_000, ops / 20), err));
        phases.add(QueuePhase.run(name, root.dir, b, processes, Math.max(1_000, ops / 10), err));

        boolean ok = phases.stream().allMatch(PhaseResult::ok);
        for (PhaseResult p : phases) p.report().forEach(out::println);
        out.println(ok ? "result: OK, every check held" : "result: FAILED, see above");
        if (json) out.println(Json.of(summary(b, ok, phases)));
        out.flush();
        return ok ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
    }

    private Map<String, Object> summary(Backend b, boolean ok, List<PhaseResult> phases) {
        PhaseResult counters = phases.getFirst();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", ok);
        m.put("backend", b.name().toLowerCase(Locale.ROOT));
        m.putAll(counters.figures());
        m.put("violations", phases.stream().mapToLong(p -> ((Number) p.figures().getOrDefault("violations", 0)).longValue()
                + ((Number) p.figures().getOrDefault("torn_reads", 0)).longValue()).sum());
        Map<String, Object> byPhase = new LinkedHashMap<>();
        for (PhaseResult p : phases) {
            Map<String, Object> f = new LinkedHashMap<>(p.figures());
            f.put("ok", p.ok());
            byPhase.put(p.name(), f);
        }
        m.put("phases", byPhase);
        return m;
    }
}
