package dev.mapsync.cli;

import dev.mapsync.BarrierStatus;
import dev.mapsync.SharedBarrier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Command(name = "stat", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Show a barrier's generation, who waits, who is seated, and why it broke.")
final class BarrierStatCommand extends BarrierSubcommand implements Runnable {
    @Parameters(index = "0", paramLabel = "BARRIER")
    String barrier;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    String barrierArgument() {
        return barrier;
    }

    @Override
    public void run() {
        BarrierStatus s;
        try (SharedBarrier b = SharedBarrier.openReadOnly(existing())) {
            s = b.status();
        }
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", s.name());
            m.put("parties", s.parties());
            m.put("generation", s.generation());
            m.put("arrived", s.arrived());
            m.put("broken", s.broken());
            m.put("broken_reason", s.brokenReason().orElse(null));
            List<Map<String, Object>> seated = s.seated().stream().map(p -> {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("seat", p.seat());
                e.put("pid", p.pid());
                e.put("alive", p.alive());
                return e;
            }).toList();
            m.put("seated", seated);
            out().println(Json.of(m));
            return;
        }
        line("barrier", s.name());
        line("parties", Integer.toString(s.parties()));
        line("generation", Long.toString(s.generation()));
        line("arrived", s.arrived() + " waiting");
        line("broken", s.brokenReason().orElse("no"));
        line("seated", s.seated().isEmpty() ? "none" : String.join(", ", s.seated().stream()
                .map(p -> "pid " + p.pid() + (p.alive() ? "" : " (gone)")).toList()));
    }

    private void line(String key, String value) {
        out().printf("%-10s %s%n", key, value);
    }
}
