package dev.mapsync.internal.events;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * The consumer of a ring skipped records that producers claimed and died before committing: they can never be
 * read. The ring keeps the running total ({@code RingStatus.lostRecords}).
 */
@Name("dev.mapsync.RecordsLost")
@Label("Records Lost")
@Category({"mapsync", "Rings"})
@Description("The consumer of a ring skipped records that a producer claimed and died before committing")
public final class RecordsLostEvent extends Event {
    @Label("Map")
    @Description("The name of the ring or queue")
    public String map;

    @Label("Count")
    @Description("How many records were skipped")
    public long count;

    @Label("Bytes")
    @Description("The ring space the skipped records took, headers included")
    @DataAmount
    public long bytes;

    @Label("Producer PID")
    @Description("The process that claimed them and died, as its own pid namespace numbered it; 0 if not known")
    public int producerPid;

    @Label("Lost In Total")
    @Description("The records the ring has lost since it was created, these included")
    public long totalLost;

    /** Writes the event, when a recording wants it. */
    public static void emit(String map, long count, long bytes, int producerPid, long totalLost) {
        RecordsLostEvent e = new RecordsLostEvent();
        if (!e.shouldCommit()) return;
        e.map = map;
        e.count = count;
        e.bytes = bytes;
        e.producerPid = producerPid;
        e.totalLost = totalLost;
        e.commit();
    }
}
