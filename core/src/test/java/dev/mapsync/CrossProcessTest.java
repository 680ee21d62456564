package dev.mapsync;

import dev.mapsync.testkit.AccountReader;
import dev.mapsync.testkit.AccountWriter;
import dev.mapsync.launch.ChildJvm;
import dev.mapsync.testkit.TestJvm;
import dev.mapsync.testkit.CounterWorker;
import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.MapDir;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Separate JVM processes sharing one map. */
class CrossProcessTest {
    @RegisterExtension
    final MapDir maps = new MapDir("x");
    private Path dir;
    private String name;

    @BeforeEach
    void setUp() {
        dir = maps.dir();
        name = maps.name();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void concurrentIncrementsFromSeveralProcessesAreExact(Backend b) {
        int processes = 4;
        long n = 250_000;
        ArraySpec<Long> spec = Machine.on(b, MapSpec.array(name, Codec.i64(), 1 + processes).dir(dir));
        try (SharedArray<Long> map = SharedArray.create(spec)) {
            List<ChildJvm> children = new ArrayList<>();
            for (int w = 0; w < processes; w++) {
                children.add(TestJvm.start(CounterWorker.class, dir.toString(), name, b.name(),
                        Integer.toString(1 + processes), Integer.toString(w), Long.toString(n)));
            }
            for (ChildJvm c : children) {
                c.awaitSuccess(120);
                c.close();
            }
            assertEquals(processes * n, map.longs().get(0));
            for (int w = 0; w < processes; w++) assertEquals(n, map.longs().get(1 + w));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void oneProcessWritesRecordsAnotherReadsThemByName(Backend b) {
        Machine.require(b);
        try (ChildJvm writer = TestJvm.start(AccountWriter.class, dir.toString(), name, b.name(), "64")) {
            writer.awaitSuccess(60);
            assertEquals("written", writer.output().strip());
        }
        try (ChildJvm reader = TestJvm.start(AccountReader.class, dir.toString(), name, b.name(), "64")) {
            reader.awaitSuccess(60);
            assertEquals("wrong=0", reader.output().strip());
        }
    }
}
