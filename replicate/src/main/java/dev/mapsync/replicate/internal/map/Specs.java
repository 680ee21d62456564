package dev.mapsync.replicate.internal.map;

import dev.mapsync.ArraySpec;
import dev.mapsync.HashSpec;
import dev.mapsync.MapInfo;
import dev.mapsync.MapLocation;
import dev.mapsync.MapSpec;
import dev.mapsync.Schema;
import dev.mapsync.replicate.internal.wire.Shape;

/** Specs of a map at a location whose values (and keys) are read and written as bytes. */
final class Specs {
    private Specs() {}

    static ArraySpec<byte[]> array(MapLocation at, Schema value, int entries) {
        RawCodec raw = new RawCodec(value);
        ArraySpec<byte[]> spec;
        if (at.pinPath().isPresent()) {
            spec = MapSpec.pinned(at.pinPath().get(), raw);
        } else if (at.path().isPresent()) {
            spec = MapSpec.array(at.path().get(), raw, entries);
        } else {
            spec = MapSpec.array(at.name(), raw, entries).dir(at.dir()).backend(at.backend());
        }
        return at.isReplica() ? spec.replica() : spec;
    }

    static HashSpec<byte[], byte[]> hash(MapLocation at, Schema key, Schema value, int capacity) {
        RawCodec k = new RawCodec(key), v = new RawCodec(value);
        HashSpec<byte[], byte[]> spec;
        if (at.pinPath().isPresent()) {
            spec = HashSpec.pinned(at.pinPath().get(), k, v);
        } else if (at.path().isPresent()) {
            spec = HashSpec.of(at.path().get(), k, v, capacity);
        } else {
            spec = HashSpec.of(at.name(), k, v, capacity).dir(at.dir()).backend(at.backend());
        }
        return at.isReplica() ? spec.replica() : spec;
    }

    /** The shape a follower makes its replica with. */
    static Shape shapeOf(MapInfo info, boolean hash, int segmentsOrStripes) {
        return new Shape(hash, info.entries(), info.changelogCapacity(), segmentsOrStripes,
                hash ? info.keySchema().toString() : "", info.valueSchema().toString());
    }
}
