package dev.mapsync.cli;

import dev.mapsync.Codec;
import dev.mapsync.HashSpec;
import dev.mapsync.SharedHashMap;
import dev.mapsync.cli.export.KeySelection;
import dev.mapsync.cli.export.KeySelection.Range;
import dev.mapsync.testkit.MapDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What {@code mapsync export --keys} chooses of each kind of key: merged ranges, and listed keys each once. */
class ExportKeysTest {
    @RegisterExtension
    final MapDir maps = new MapDir("k");

    record Flow(int src, int dst, short port) {}

    @SuppressWarnings("unchecked") // a map opened as it is has keys and values of Object
    private SharedHashMap<Object, Object> reopened(SharedHashMap<?, ?> created) {
        return SharedHashMap.open(dev.mapsync.MapSpec.existing(created.name()).dir(maps.dir()));
    }

    @Test
    void anArraysIndexesAndRangesMerge() {
        KeySelection s = ExportKeys.ofArray(List.of("7,0-3", "2-5", "9"), 10);
        assertEquals(List.of(new Range(0, 5), new Range(7, 7), new Range(9, 9)), s.ranges());
        assertEquals(8, s.count());
    }

    @Test
    void integerKeysAreRangesAndAU64PastTheLongsIsListed() {
        try (SharedHashMap<Long, Long> created = SharedHashMap.create(HashSpec.of(maps.name(), Codec.u64(), Codec.i64(), 8)
                .dir(maps.dir()));
             SharedHashMap<Object, Object> map = reopened(created)) {
            KeySelection s = ExportKeys.ofHash(List.of("10-12,40,0x0b", "18446744073709551615"), map);
            assertEquals(List.of(new Range(10, 12), new Range(40, 40)), s.ranges());
            assertEquals(List.of("18446744073709551615"), List.copyOf(s.listed().keySet()));
            assertEquals(5, s.count());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ExportKeys.ofHash(List.of("1-18446744073709551615"), map));
            assertEquals("--keys 1-18446744073709551615: a range takes keys up to 9223372036854775807", e.getMessage());
        }
    }

    @Test
    void stringKeysAreListedInTheirTextFormAQuotedCommaIncluded() {
        try (SharedHashMap<String, Long> created = SharedHashMap.create(HashSpec.of(maps.name(), Codec.chars(8), Codec.i64(), 8)
                .dir(maps.dir()));
             SharedHashMap<Object, Object> map = reopened(created)) {
            KeySelection s = ExportKeys.ofHash(List.of("4b1d9c,\"a, b\",1-2", "4b1d9c"), map);
            assertEquals(List.of(), s.ranges(), "a string key with a dash is a key, not a range");
            assertEquals(Map.of("4b1d9c", "4b1d9c", "\"a, b\"", "a, b", "1-2", "1-2"), s.listed());
            assertEquals(3, s.count());
        }
    }

    @Test
    void aStructKeyIsOneKeysOption() {
        try (SharedHashMap<Flow, Long> created = SharedHashMap.create(HashSpec.of(maps.name(), Codec.record(Flow.class),
                Codec.i64(), 8).dir(maps.dir()));
             SharedHashMap<Object, Object> map = reopened(created)) {
            KeySelection s = ExportKeys.ofHash(List.of("src=10,dst=11,port=443", "dst=12,src=10,port=443",
                    "port=443,dst=11,src=10"), map);
            assertEquals(List.of("src=10,dst=11,port=443", "src=10,dst=12,port=443"), List.copyOf(s.listed().keySet()));
        }
    }
}
