package dev.mapsync.internal.events;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Throttle;

/**
 * A claim of a ring or a queue failed for lack of room: an {@code offer} or {@code tryClaim} that found the ring
 * full (duration zero), or a {@code put} or {@code claim} that waited for room until its timeout (the duration is
 * the wait, from the first time it found the ring full). Throttled to 100 events a second by default: a producer
 * that retries {@code offer} on a full ring would otherwise write one per retry.
 */
@Name("dev.mapsync.RingFull")
@Label("Ring Full")
@Category({"mapsync", "Rings"})
@Description("A claim of a ring or queue failed for lack of room: an offer that found it full, or a put that waited"
        + " for room until its timeout")
@Throttle("100/s")
public final class RingFullEvent extends Event {
    @Label("Map")
    @Description("The name of the ring or queue")
    public String map;

    @Label("Record Length")
    @Description("The payload length of the record that did not fit")
    @DataAmount
    public int recordLength;

    @Label("Record Size")
    @Description("The bytes the record needs in the ring: its header and payload, rounded up to 8")
    @DataAmount
    public long recordSize;

    @Label("Bytes Used")
    @Description("The bytes claimed and not yet released by the consumer when the claim failed")
    @DataAmount
    public long bytesUsed;

    @Label("Capacity")
    @Description("The ring's data capacity")
    @DataAmount
    public long capacity;

    /**
     * Begins timing a claim that found the ring full and waits for room, when a recording wants the event; the claim
     * ends it ({@link #endWait}) when it gives up.
     *
     * @return the begun event, or null when no recording records full rings
     */
    public static RingFullEvent beginIfEnabled() {
        RingFullEvent e = new RingFullEvent();
        if (!e.isEnabled()) return null;
        e.begin();
        return e;
    }

    /**
     * The event of a claim that failed without waiting, when a recording wants it (enabled, and within the throttle):
     * its duration is zero, and {@link #write} writes it.
     *
     * @return the event, or null when it is not to be written
     */
    public static RingFullEvent ifWanted() {
        RingFullEvent e = new RingFullEvent();
        return e.shouldCommit() ? e : null;
    }

    /** Ends the claim's wait now: true if the event is to be written ({@link #write} it then). */
    public boolean endWait() {
        end();
        return shouldCommit();
    }

    /** Writes the event that {@link #endWait} ended, or that {@link #ifWanted} gave. */
    public void write(String map, int recordLength, long recordSize, long bytesUsed, long capacity) {
        this.map = map;
        this.recordLength = recordLength;
        this.recordSize = recordSize;
        this.bytesUsed = bytesUsed;
        this.capacity = capacity;
        commit();
    }
}
