package dev.mapsync.cli;

import dev.mapsync.LockInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Command(name = "locks", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "List the held locks of a map: owner pid, alive or dead, held since, torn entries.")
final class LocksCommand extends MapCommand implements Runnable {
    @Option(names = "--json", description = "Print one JSON array.")
    boolean json;

    @Override
    boolean controlRegionNeeded() {
        return true;
    }

    @Override
    public void run() {
        withKeyed(true, array -> {
            int entries = array.length(), stripes = array.info().lockStripes();
            print(array.locks(), stripes == entries ? "entry" : "stripe");
        }, hash -> print(hash.locks(), "segment")); // a hash map's locks guard its segments
    }

    /** Prints {@code locks}, naming each but the map-wide one as a {@code guards} ("entry 3", "segment 5"). */
    private void print(List<LockInfo> locks, String guards) {
        if (json) {
            out().println(Json.of(locks.stream().map(l -> json(l, guards)).toList()));
            return;
        }
        if (locks.isEmpty()) return;
        out().printf("%-14s %8s %-6s %-26s %s%n", "LOCK", "PID", "OWNER", "HELD SINCE", "NOTES");
        for (LockInfo l : locks) {
            String what = l.stripe() < 0 ? "map" : guards + " " + l.stripe();
            String state = l.ownerPid() == 0 ? "-" : l.ownerAlive() ? "alive" : "dead";
            String notes = (l.recovered() ? "taken over from a dead owner " : "")
                    + (l.sameNamespace() ? "" : "pid in another namespace ")
                    + (l.tornEntries().isEmpty() ? "" : "torn entries " + torn(l));
            out().printf("%-14s %8s %-6s %-26s %s%n", what, l.ownerPid() == 0 ? "-" : Integer.toString(l.ownerPid()),
                    state, l.heldSince().map(Object::toString).orElse(l.ownerPid() == 0 ? "-" : "not recorded"),
                    notes.strip());
        }
    }

    private static String torn(LockInfo l) {
        return l.tornEntries().equals(List.of(-1)) ? "(all of the stripe)" : l.tornEntries().toString();
    }

    private static Map<String, Object> json(LockInfo l, String guards) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lock", l.stripe() < 0 ? "map" : guards);
        m.put("stripe", l.stripe());
        m.put("owner_pid", l.ownerPid());
        m.put("owner_alive", l.ownerAlive());
        m.put("same_pid_namespace", l.sameNamespace());
        m.put("owner_thread", l.ownerThreadId());
        m.put("held_since", l.heldSince().map(Object::toString).orElse(null));
        m.put("recovered", l.recovered());
        m.put("torn_entries", l.tornEntries());
        return m;
    }
}
