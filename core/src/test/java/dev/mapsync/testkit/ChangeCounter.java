package dev.mapsync.testkit;

import dev.mapsync.ArraySpec;
import dev.mapsync.Backend;
import dev.mapsync.Change;
import dev.mapsync.ChangeCursor;
import dev.mapsync.ChangeEvent;
import dev.mapsync.Codec;
import dev.mapsync.MapSpec;
import dev.mapsync.MissedChanges;
import dev.mapsync.SharedArray;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A watcher child: subscribes, says "subscribed", then accounts for the next N sequence numbers, each received or
 * reported missed, and prints {@code received=R missed=M gaps=G disorder=D}: a gap is a sequence number neither
 * received nor reported, disorder a number seen out of order. Arguments: dir name backend entries n.
 */
public final class ChangeCounter {
    public static void main(String[] args) {
        ArraySpec<Long> spec = MapSpec.array(args[1], Codec.i64(), Integer.parseInt(args[3])).dir(Path.of(args[0]))
                .backend(Backend.valueOf(args[2]));
        long n = Long.parseLong(args[4]);
        long received = 0, missed = 0, gaps = 0, disorder = 0;
        try (SharedArray<Long> map = SharedArray.open(spec);
             ChangeCursor cursor = map.changes()) {
            long expected = cursor.position();
            long end = expected + n;
            System.out.println("subscribed");
            System.out.flush();
            while (expected < end) {
                var events = cursor.poll(Duration.ofSeconds(30));
                if (events.isEmpty()) break;
                for (ChangeEvent e : events) {
                    long first = e instanceof Change c ? c.seq() : ((MissedChanges) e).firstSeq();
                    long count = e instanceof Change ? 1 : ((MissedChanges) e).count();
                    if (first > expected) gaps += first - expected;
                    if (first < expected) disorder++;
                    if (e instanceof Change) received++;
                    else missed += count;
                    expected = first + count;
                }
            }
        }
        System.out.println("received=" + received + " missed=" + missed + " gaps=" + gaps + " disorder=" + disorder);
    }
}
