package dev.mapsync.testkit;

import dev.mapsync.Backend;
import dev.mapsync.Chars;
import dev.mapsync.Codec;
import dev.mapsync.HashSpec;

import java.nio.file.Path;

/**
 * The map the cross-process hash map tests share: {@code char[16]} keys to {@link Cell}s. Chain keys
 * ({@code k0..}) get values that name who wrote them, so that the final value of each key can be worked out from
 * what every operation returned; counter keys ({@code c0..}) only get atomic adds.
 */
public final class HashCells {
    private HashCells() {}

    /** {@code struct { int64_t writer; int64_t seq; int64_t counter; char note[8]; }} */
    public record Cell(long writer, long seq, long counter, @Chars(8) String note) {
        public static Cell of(long writer, long seq) {
            return new Cell(writer, seq, 0, "w" + writer);
        }

        /** {@code writer:seq}, how logs name a written value. */
        public String id() {
            return writer + ":" + seq;
        }
    }

    public static HashSpec<String, Cell> spec(Path dir, String name, Backend backend, int capacity, int segments) {
        return HashSpec.of(name, Codec.chars(16), Codec.record(Cell.class), capacity).segments(segments).dir(dir)
                .backend(backend);
    }
}
