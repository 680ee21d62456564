package dev.mapsync.cli;

import dev.mapsync.RingStatus;
import dev.mapsync.SharedRing;
import dev.mapsync.internal.ring.RingLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

@Command(name = "stat", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Show what a queue holds and who consumes it, without consuming.")
final class QueueStatCommand extends QueueSubcommand implements Runnable {
    @Parameters(index = "0", paramLabel = "QUEUE")
    String queue;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public String mapArgument() {
        return queue;
    }

    @Override
    public void run() {
        RingStatus s;
        try (SharedRing ring = SharedRing.openReadOnly(existing())) {
            s = ring.status();
        }
        // a queue of values is sized and counted in values too; a ring of records of any length in bytes only
        long record = s.valueSchema() == null ? 0 : RingLayout.recordSize(s.valueSchema().size());
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", s.name());
            m.put("backend", s.backend().name().toLowerCase(Locale.ROOT));
            m.put("value_schema", s.valueSchema() == null ? null : s.valueSchema().toString());
            m.put("capacity_bytes", s.capacityBytes());
            m.put("capacity_values", record == 0 ? null : s.capacityBytes() / record);
            m.put("used_bytes", s.usedBytes());
            m.put("used_values", record == 0 ? null : s.usedBytes() / record);
            m.put("producer_position", s.producerPosition());
            m.put("consumer_position", s.consumerPosition());
            m.put("consumer_pid", s.consumerPid() == 0 ? null : s.consumerPid());
            m.put("lost_records", s.lostRecords());
            m.put("lost_bytes", s.lostBytes());
            m.put("sealed", s.sealed());
            out().println(Json.of(m));
            return;
        }
        line("queue", s.name());
        line("backend", s.backend().name().toLowerCase(Locale.ROOT));
        line("records", s.valueSchema() == null ? "of any length" : "values of " + s.valueSchema() + " ("
                + s.valueSchema().size() + " bytes)");
        line("capacity", s.capacityBytes() + " bytes" + values(s.capacityBytes(), record));
        line("used", s.usedBytes() + " bytes" + values(s.usedBytes(), record));
        line("positions", "producer " + s.producerPosition() + ", consumer " + s.consumerPosition());
        line("consumer", s.consumerPid() == 0 ? "none" : "pid " + s.consumerPid());
        line("lost", s.lostRecords() + " records (" + s.lostBytes() + " bytes) whose producer died before committing");
        line("sealed", s.sealed() ? "yes" : "no");
    }

    /** The values {@code bytes} of a queue hold, said after its bytes; nothing for a ring of records of any length. */
    private static String values(long bytes, long record) {
        if (record == 0) return "";
        long n = bytes / record;
        return " (" + n + (n == 1 ? " value)" : " values)");
    }

    private void line(String key, String value) {
        out().printf("%-10s %s%n", key, value);
    }
}
