package dev.mapsync.internal.store;

import dev.mapsync.MapInfo;
import dev.mapsync.MapType;
import dev.mapsync.Schema;
import dev.mapsync.internal.sys.LibC;
import dev.mapsync.internal.sys.Proc;
import dev.mapsync.internal.sys.SyscallException;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the public {@link MapInfo} from a header and the file's status. */
public final class MapInfos {
    private MapInfos() {}

    /**
     * The description of an open map: as {@link #of}, except that a bpf map's access is the one this handle
     * took ({@code syscall} when its values are not mapped, as for a pin this process may only read).
     */
    public static MapInfo ofOpen(MapRegion region) {
        Map<String, String> details = Map.of();
        if (region.header().backend() == Header.BACKEND_BPF) {
            Map<String, String> d = new LinkedHashMap<>(BpfArrays.details(region.name(), region.file()));
            d.put("access", region.data() != null ? "mmap" : "syscall");
            details = d;
        }
        return of(region.name(), region.file(), region.header(), details);
    }

    /** @param details backend-specific facts; when empty, those of a bpf map are read from its sidecar */
    public static MapInfo of(String name, Path file, Header h, Map<String, String> details) {
        if (details.isEmpty() && h.backend() == Header.BACKEND_BPF) details = BpfArrays.details(name, file);
        if (h.replica()) {
            Map<String, String> d = new LinkedHashMap<>(details);
            String leader = ReplicaMark.leaderOf(file);
            d.put("replica of", leader.isEmpty() ? "a map on another host" : leader);
            details = d;
        }
        int mode = 0, uid = -1;
        long size = 0;
        try {
            LibC.FileStat st = LibC.lstat(file.toString());
            mode = st.permissions();
            uid = st.uid();
            size = st.size();
        } catch (SyscallException e) {
            // the file was deleted after it was opened; the mapping still works
        }
        boolean sameNamespace = h.creatorPidNamespace() == Proc.PID_NAMESPACE;
        boolean alive = sameNamespace && Proc.isAlive(h.creatorPid(), h.creatorStartTime());
        return new MapInfo(name, file, MapType.ofCode(h.type()),
                h.storage(), h.entries(),
                h.valueSchema().isEmpty() ? null : Schema.parse(h.valueSchema()), h.valueSize(), h.stride(), h.lockStripes(),
                h.changelogCapacity(), h.creatorPid(), alive, Instant.ofEpochSecond(0, h.createdAtNanos()), mode, uid, size,
                details, h.keySchema().isEmpty() ? null : Schema.parse(h.keySchema()));
    }
}
