package dev.mapsync.testkit;

import dev.mapsync.ArraySpec;
import dev.mapsync.Backend;
import dev.mapsync.ChangeCursor;
import dev.mapsync.Codec;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;

import java.nio.file.Path;
import java.time.Duration;

/** A subscriber that waits for changes that never come. Arguments: dir name backend entries. */
public final class IdleSubscriber {
    public static void main(String[] args) {
        ArraySpec<Long> spec = MapSpec.array(args[1], Codec.i64(), Integer.parseInt(args[3])).dir(Path.of(args[0]))
                .backend(Backend.valueOf(args[2]));
        try (SharedArray<Long> map = SharedArray.open(spec);
             ChangeCursor cursor = map.changes()) {
            System.out.println("subscribed");
            System.out.flush();
            while (true) cursor.poll(Duration.ofSeconds(60));
        }
    }
}
