package dev.mapsync.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Throttle;

/**
 * A subscriber was told that it missed changes ({@code MissedChanges}, {@code MissedKeyChanges}): one event per such
 * report, with the same count. No throttle by default, so that the counts of a recording add up to what subscribers
 * were told; a recording may set one ({@code dev.mapsync.ChangesMissed#throttle=100/s}).
 */
@Name("dev.mapsync.ChangesMissed")
@Label("Changes Missed")
@Category({"mapsync", "Notifications"})
@Description("A subscriber to a map's changes was told it missed some: the change log overwrote them before it read"
        + " them, or their writers never published them")
@Throttle("off")
public final class ChangesMissedEvent extends Event {
    @Label("Map")
    @Description("The name of the map")
    public String map;

    @Label("Count")
    @Description("How many changes were missed, as the subscriber was told")
    public long count;

    @Label("First Sequence")
    @Description("The sequence number of the first change missed")
    public long firstSeq;

    /** Writes the event, when a recording wants it. */
    public static void emit(String map, long firstSeq, long count) {
        ChangesMissedEvent e = new ChangesMissedEvent();
        if (!e.shouldCommit()) return;
        e.map = map;
        e.count = count;
        e.firstSeq = firstSeq;
        e.commit();
    }
}
