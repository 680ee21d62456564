package dev.mapsync.cli.top;

import dev.mapsync.LockInfo;
import dev.mapsync.Schema;
import dev.mapsync.SharedArray;
import dev.mapsync.SyncStatus;
import dev.mapsync.cli.export.NumericFields;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * What {@code mapsync top} shows, computed from two looks at a map: the entries that change fastest (by the rate of
 * their first numeric field, then by how often their value changed), the lock owners (alive or dead), and the
 * subscribers. Rendering is separate from the terminal so that it can be tested as text.
 */
public final class TopView {
    private final SharedArray<Object> map;
    private final String label;
    private final int fromKey;
    private final int toKey;
    private final Schema schema;
    private String[] previousText;
    private double[] previousNumber;
    private final int[] changedLooks;
    private int looks;
    private long previousNanos;
    private final double[] rate;

    public TopView(SharedArray<Object> map, String label, int fromKey, int toKey) {
        this.map = map;
        this.label = label;
        this.fromKey = fromKey;
        this.toKey = toKey;
        this.schema = map.codec().schema();
        int n = toKey - fromKey + 1;
        this.changedLooks = new int[n];
        this.rate = new double[n];
    }

    /** Takes a look at the map now. */
    public void sample() {
        long now = System.nanoTime();
        int n = toKey - fromKey + 1;
        String[] text = new String[n];
        double[] number = new double[n];
        for (int i = 0; i < n; i++) {
            Object value = map.get(fromKey + i);
            text[i] = dev.mapsync.cli.ValueText.format(schema, value);
            double[] first = {Double.NaN};
            NumericFields.forEach(schema, value, (field, v) -> {
                if (Double.isNaN(first[0])) first[0] = v;
            });
            number[i] = first[0];
        }
        if (previousText != null) {
            double seconds = (now - previousNanos) / 1e9;
            for (int i = 0; i < n; i++) {
                boolean changed = !text[i].equals(previousText[i]);
                if (changed) changedLooks[i]++;
                rate[i] = Double.isNaN(number[i]) ? 0 : (number[i] - previousNumber[i]) / seconds;
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
        var info = map.info();
        SyncStatus s = map.syncStatus();
        lines.add(String.format("mapsync top - %s (%s, %d x %s)   %s", label, info.backend().name().toLowerCase(Locale.ROOT),
                info.entries(), schema, LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss"))));
        lines.add(String.format("subscribers %d   sleeping %d   changes logged %,d   locks held %d (%d of dead owners)   torn %d",
                s.subscribers(), s.sleepingWaiters(), s.lastChangeSeq(), s.locksHeld(), s.locksOfDeadOwners(), s.tornEntries()));
        lines.add("");
        List<LockInfo> locks = map.locks().stream().filter(l -> l.ownerPid() != 0).toList();
        int lockRows = Math.min(locks.size(), Math.max(0, (rows - 7) / 3));
        int entryRows = Math.max(0, rows - 5 - (lockRows > 0 ? lockRows + 2 : 0));
        lines.add(String.format("%-8s %14s %9s  %s", "KEY", "RATE/s", "CHANGED", "VALUE"));
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < previousText.length; i++) order.add(i);
        order.sort(Comparator.<Integer>comparingDouble(i -> -Math.abs(rate[i])).thenComparingInt(i -> -changedLooks[i])
                .thenComparingInt(i -> i));
        for (int r = 0; r < Math.min(entryRows, order.size()); r++) {
            int i = order.get(r);
            lines.add(String.format("%-8d %,14.1f %4d/%-4d  %s", fromKey + i, rate[i], changedLooks[i], looks, previousText[i]));
        }
        if (lockRows > 0) {
            lines.add("");
            lines.add(String.format("%-14s %8s %-6s %s", "LOCK", "PID", "OWNER", "HELD SINCE"));
            for (LockInfo l : locks.subList(0, lockRows)) {
                lines.add(String.format("%-14s %8d %-6s %s", l.stripe() < 0 ? "map" : "stripe " + l.stripe(), l.ownerPid(),
                        l.ownerAlive() ? "alive" : "dead", l.heldSince().map(Object::toString).orElse("not recorded")));
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
