package dev.mapsync.testkit;

import dev.mapsync.RingClaim;
import dev.mapsync.SharedQueue;
import dev.mapsync.testkit.RingRecords.Item;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A child that puts records (source, 0, seq) with seq 0, 1, 2, ... into a queue. Arguments: dir name capacity source
 * count mode [stop-file]. Modes:
 * <ul>
 * <li>{@code all}: puts {@code count} records, prints {@code produced=count}.</li>
 * <li>{@code hang-mid-record}: puts {@code count} records, claims one more, writes half of it, prints
 *     {@code claimed} and sleeps until killed.</li>
 * <li>{@code hang-in-reserve}: pauses inside the reserve lock at its claim number {@code count}, after the
 *     position moved past it (it prints {@code paused in reserve}).</li>
 * <li>{@code hang-before-position}: the same, but after writing the claim's header and before moving the
 *     position.</li>
 * <li>{@code until-stop}: puts {@code count} records a millisecond until the stop file exists; prints
 *     {@code produced=N}.</li>
 * </ul>
 */
public final class RingProducerChild {
    public static void main(String[] args) throws InterruptedException {
        Path dir = Path.of(args[0]);
        int capacity = Integer.parseInt(args[2]);
        int source = Integer.parseInt(args[3]);
        long count = Long.parseLong(args[4]);
        String mode = args[5];
        if (mode.equals("hang-in-reserve")) System.setProperty("mapsync.test.pauseInReserveAt", Long.toString(count));
        if (mode.equals("hang-before-position")) System.setProperty("mapsync.test.pauseInReserveAt", count + ":header");
        Duration patience = Duration.ofSeconds(120);
        try (SharedQueue<Item> queue = SharedQueue.open(RingRecords.queue(dir, args[1], capacity))) {
            long seq = 0;
            switch (mode) {
                case "all", "hang-in-reserve", "hang-before-position", "hang-mid-record" -> {
                    for (; seq < count; seq++) queue.put(new Item(source, 0, seq), patience);
                }
                case "until-stop" -> {
                    Path stop = Path.of(args[6]);
                    while (!Files.exists(stop)) {
                        for (int i = 0; i < count; i++) queue.put(new Item(source, 0, seq++), patience);
                        Thread.sleep(1);
                    }
                }
                default -> throw new IllegalArgumentException(mode);
            }
            if (mode.startsWith("hang-in-reserve") || mode.equals("hang-before-position")) {
                queue.put(new Item(source, 0, seq), patience);
            }
            if (mode.equals("hang-mid-record")) {
                RingClaim claim = queue.ring().claim(RingRecords.SIZE, patience);
                claim.payload().set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, source);
                System.out.println("claimed");
                System.out.flush();
                Thread.sleep(Long.MAX_VALUE);
            }
            System.out.println("produced=" + seq);
        }
    }
}
