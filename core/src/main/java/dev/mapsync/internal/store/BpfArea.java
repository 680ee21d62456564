package dev.mapsync.internal.store;

import dev.mapsync.internal.sys.Layouts;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The backend-specific area of a bpf map's sidecar header (bytes 128 to 255, see {@link Header}): which kernel
 * map holds the values and where it is pinned, so that a map opened by name finds its kernel map, and a map
 * adopted from a foreign pin keeps that pin.
 *
 * <pre>
 * offset size field
 *    128    4 kernel map id when the sidecar was made (ids are reused only after the map is gone)
 *    132    4 kernel map type (BPF_MAP_TYPE_*: 2 = array, 6 = percpu_array, 1 = hash, 9 = lru_hash,
 *             5 = percpu_hash, 10 = lru_percpu_hash)
 *    136    4 kernel map flags (BPF_F_*: 1024 = BPF_F_MMAPABLE)
 *    140    4 access: 0 = mmap (the data region is the kernel map's pages), 1 = syscall (bpf(2) lookups and updates),
 *             2 = syscall with BPF_F_LOCK (hash maps whose values sit behind a struct bpf_spin_lock)
 *    144    4 pin path length in bytes (1 to 108)
 *    148  108 pin path, UTF-8, zero-padded
 * </pre>
 *
 * @param mapId   the kernel map's id
 * @param mapType the kernel map's type
 * @param flags   the kernel map's flags
 * @param access  how values are reached: {@link #ACCESS_MMAP} or {@link #ACCESS_SYSCALL}
 * @param pin     the absolute pin path
 */
public record BpfArea(int mapId, int mapType, int flags, int access, Path pin) {
    public static final long MAP_ID_OFFSET = Header.BACKEND_AREA_OFFSET, MAP_TYPE_OFFSET = 132, FLAGS_OFFSET = 136,
            ACCESS_OFFSET = 140, PIN_LENGTH_OFFSET = 144, PIN_OFFSET = 148;
    /** The longest pin path a sidecar records, in bytes. */
    public static final int MAX_PIN_LENGTH = (int) (Header.SCHEMA_TEXT_OFFSET - PIN_OFFSET);

    public static final int ACCESS_MMAP = 0, ACCESS_SYSCALL = 1, ACCESS_SYSCALL_LOCKED = 2;

    /**
     * Checks that a pin path fits the area.
     *
     * @throws IllegalArgumentException if it is longer than {@value #MAX_PIN_LENGTH} bytes
     */
    public static void checkFits(String name, Path pin) {
        int length = pin.toString().getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_PIN_LENGTH) {
            throw new IllegalArgumentException("bpf map '" + name + "': pin path " + pin + " is " + length
                    + " bytes; a sidecar records at most " + MAX_PIN_LENGTH + " (use a shorter name or pin path)");
        }
    }

    /** Reads the area of a sidecar header. */
    public static BpfArea read(MemorySegment head) {
        int length = head.get(Layouts.INT, PIN_LENGTH_OFFSET);
        if (length < 1 || length > MAX_PIN_LENGTH) {
            throw new IllegalStateException("pin path length " + length + " is not in 1.." + MAX_PIN_LENGTH);
        }
        byte[] pin = new byte[length];
        MemorySegment.copy(head, Layouts.BYTE, PIN_OFFSET, pin, 0, length);
        return new BpfArea(head.get(Layouts.INT, MAP_ID_OFFSET), head.get(Layouts.INT, MAP_TYPE_OFFSET),
                head.get(Layouts.INT, FLAGS_OFFSET), head.get(Layouts.INT, ACCESS_OFFSET), pinPath(pin));
    }

    /** The pin path the bytes spell: UTF-8, absolute, without NUL bytes (which no path has). */
    private static Path pinPath(byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("pin path is not UTF-8 text");
        }
        if (text.indexOf('\0') >= 0 || !text.startsWith("/")) {
            throw new IllegalStateException("pin path " + text.replace('\0', '?') + " is not an absolute path");
        }
        return Path.of(text);
    }

    /** Writes the area; the header must not be published yet. */
    public void write(MemorySegment head) {
        byte[] path = pin.toString().getBytes(StandardCharsets.UTF_8);
        if (path.length > MAX_PIN_LENGTH) throw new IllegalArgumentException("pin path " + pin + " is too long");
        head.set(Layouts.INT, MAP_ID_OFFSET, mapId);
        head.set(Layouts.INT, MAP_TYPE_OFFSET, mapType);
        head.set(Layouts.INT, FLAGS_OFFSET, flags);
        head.set(Layouts.INT, ACCESS_OFFSET, access);
        head.set(Layouts.INT, PIN_LENGTH_OFFSET, path.length);
        head.asSlice(PIN_OFFSET, MAX_PIN_LENGTH).fill((byte) 0);
        MemorySegment.copy(path, 0, head, Layouts.BYTE, PIN_OFFSET, path.length);
    }

    /** {@code mmap}, {@code syscall} or {@code syscall, BPF_F_LOCK}. */
    public String accessName() {
        return switch (access) {
            case ACCESS_MMAP -> "mmap";
            case ACCESS_SYSCALL_LOCKED -> "syscall, BPF_F_LOCK";
            default -> "syscall";
        };
    }
}
