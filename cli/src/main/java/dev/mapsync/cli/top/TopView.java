package dev.mapsync.cli.top;

import dev.mapsync.LockInfo;
import dev.mapsync.Schema;
import dev.mapsync.SyncStatus;
import dev.mapsync.cli.ValueText;
import dev.mapsync.cli.export.NumericFields;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@code mapsync top} shows, computed from two looks at a map: the entries that change fastest (by the rate of
 * their first numeric field, then by how often their value changed), the lock owners (alive or dead), and the
 * subscribers. Rendering is separate from the terminal so that it can be tested as text. Not thread-safe: one thread
 * samples and renders.
 */
public final class TopView {
    private final TopSource source;
    private final String label;
    private final Schema schema;
    /** The last look: each key's value as text and its first numeric field, in the order of the keys. */
    private Map<String, String> previousText;
    private Map<String, Double> previousNumber;
    private final Map<String, Integer> changedLooks = new HashMap<>();
    private final Map<String, Double> rate = new HashMap<>();
    /** The keys whose bytes the last look could not read as a value. */
    private final Set<String> unreadable = new HashSet<>();
    private int looks;
    private long previousNanos;

    public TopView(TopSource source, String label) {
        this.source = source;
        this.label = label;
        this.schema = source.schema();
    }

    /** Takes a look at the map now. */
    public void sample() {
        long now = System.nanoTime();
        Map<String, String> text = new LinkedHashMap<>();
        Map<String, Double> number = new HashMap<>();
        source.entries().get().forEach((key, value) -> {
            if (value instanceof TopSource.Unreadable u) {
                text.put(key, "<not a value: " + u.reason() + ">");
                number.put(key, Double.NaN);
                unreadable.add(key);
                return;
            }
            unreadable.remove(key);
            text.put(key, ValueText.format(schema, value));
            double[] first = {Double.NaN};
            NumericFields.forEach(schema, value, (field, v) -> {
                if (Double.isNaN(first[0])) first[0] = v;
            });
            number.put(key, first[0]);
        });
        if (previousText != null) {
            double seconds = (now - previousNanos) / 1e9;
            for (Map.Entry<String, String> e : text.entrySet()) {
                String key = e.getKey();
                String before = previousText.get(key);
                if (!e.getValue().equals(before)) changedLooks.merge(key, 1, Integer::sum);
                double n = number.get(key), was = previousNumber.getOrDefault(key, Double.NaN);
                rate.put(key, Double.isNaN(n) || Double.isNaN(was) ? 0 : (n - was) / seconds);
            }
            looks++;
        }
        previousText = text;
        previousNumber = number;
        previousNanos = now;
    }

    /** The screen, at most {@code rows} lines of at most {@code columns} characters. */
    public List<String> render(int rows, int columns) {
        List<String> lines = new ArrayList<>();
        SyncStatus s = source.status().get();
        lines.add(String.format("mapsync top - %s (%s)   %s", label, source.describe().get(),
                LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss"))));
        lines.add(String.format("subscribers %d   sleeping %d   changes logged %,d   locks held %d (%d of dead owners)   torn %d",
                s.subscribers(), s.sleepingWaiters(), s.lastChangeSeq(), s.locksHeld(), s.locksOfDeadOwners(), s.tornEntries()));
        lines.add("");
        List<LockInfo> locks = source.locks().get().stream().filter(l -> l.ownerPid() != 0).toList();
        int lockRows = Math.min(locks.size(), Math.max(0, (rows - 7) / 3));
        int entryRows = Math.max(0, rows - 5 - (lockRows > 0 ? lockRows + 2 : 0));
        lines.add(String.format("%-8s %14s %9s  %s", "KEY", "RATE/s", "CHANGED", "VALUE"));
        List<String> keys = new ArrayList<>(previousText.keySet());
        Map<String, Integer> position = new HashMap<>();
        for (int i = 0; i < keys.size(); i++) position.put(keys.get(i), i);
        keys.sort(Comparator.<String>comparingDouble(k -> -Math.abs(rate.getOrDefault(k, 0.0)))
                .thenComparingInt(k -> -changedLooks.getOrDefault(k, 0)).thenComparingInt(position::get));
        for (String key : keys.subList(0, Math.min(entryRows, keys.size()))) {
            // an entry that is not a value has no rate: blank
            String shownRate = unreadable.contains(key) ? "" : String.format("%,.1f", rate.getOrDefault(key, 0.0));
            lines.add(String.format("%-8s %14s %4d/%-4d  %s", key, shownRate, changedLooks.getOrDefault(key, 0), looks,
                    previousText.get(key)));
        }
        if (lockRows > 0) {
            lines.add("");
            lines.add(String.format("%-14s %8s %-6s %s", "LOCK", "PID", "OWNER", "HELD SINCE"));
            for (LockInfo l : locks.subList(0, lockRows)) {
                lines.add(String.format("%-14s %8d %-6s %s", l.stripe() < 0 ? "map" : source.lockName() + " " + l.stripe(),
                        l.ownerPid(), l.ownerAlive() ? "alive" : "dead",
                        l.heldSince().map(Object::toString).orElse("not recorded")));
            }
        }
        while (lines.size() < rows - 1) lines.add("");
        lines.add("q quits");
        List<String> fitted = new ArrayList<>();
        for (String line : lines.subList(Math.max(0, lines.size() - rows), lines.size())) {
            fitted.add(line.length() > columns ? line.substring(0, Math.max(0, columns)) : line);
        }
        return fitted;
    }
}
