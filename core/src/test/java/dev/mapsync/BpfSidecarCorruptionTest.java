package dev.mapsync;

import dev.mapsync.internal.store.BpfArea;
import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.MapDir;
import dev.mapsync.testkit.Peer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A bpf map's sidecar whose pin path another process overwrote (FORMAT.md §6): a path that is not absolute UTF-8, or
 * that names another pin than the map's own (a sidecar is named after its pin). Opening it is a corrupt map, not a
 * permission error, a missing map or a usage error.
 */
class BpfSidecarCorruptionTest {
    @RegisterExtension
    final MapDir maps = new MapDir("bs");

    private ArraySpec<Long> spec() {
        return Machine.on(Backend.BPF, MapSpec.array(maps.name(), Codec.i64(), 16).dir(maps.dir()));
    }

    private void refused(String problem) {
        CorruptMapException e = assertThrows(CorruptMapException.class, () -> SharedArray.open(spec()));
        Path sidecar = maps.dir().resolve(maps.name());
        assertEquals("bpf map '" + maps.name() + "' is corrupt: in its sidecar " + sidecar + ", the " + problem,
                e.getMessage());
    }

    @Test
    void aPinPathThatIsNotTheMapsPinIsCorrupt() {
        SharedArray.create(spec()).close();
        Path sidecar = maps.dir().resolve(maps.name());
        int length = Peer.getInt(sidecar, BpfArea.PIN_LENGTH_OFFSET);
        Peer.putInt(sidecar, BpfArea.PIN_LENGTH_OFFSET, 1); // "/": once a permission error (exit 4)
        refused("pin path / does not end in the map's name");
        Peer.putInt(sidecar, BpfArea.PIN_LENGTH_OFFSET, length - 8); // cut short: once "nothing is pinned" (exit 2)
        String cut = "/sys/fs/bpf/mapsync/" + maps.name();
        refused("pin path " + cut.substring(0, length - 8) + " does not end in the map's name");
        Peer.putInt(sidecar, BpfArea.PIN_LENGTH_OFFSET, length + 1); // a NUL byte after it: once a usage error (exit 1)
        refused("pin path " + cut + "? is not an absolute path");
        Peer.putInt(sidecar, BpfArea.PIN_LENGTH_OFFSET, length);
        try (SharedArray<Long> map = SharedArray.open(spec())) {
            assertEquals(16, map.length());
        }
    }
}
