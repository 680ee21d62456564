package dev.mapsync.internal.codec;

import java.lang.foreign.MemorySegment;

/**
 * Reads and writes one record type whose components are all primitives, with plain field loads and stores: the
 * compiled form of a {@link RecordCodec}, made by {@link FlatRecordAccessGenerator}. Public only because the
 * generated class lives in the record's package.
 */
public interface FlatRecordAccess {
    /** A new record of the fields at {@code offset}. */
    Object read(MemorySegment segment, long offset);

    /**
     * Reads the fields at {@code offset} and, only if the 4-byte sequence word at {@code sequenceOffset} of
     * {@code control} still holds {@code sequence} after them, makes a record of them: a consistent read in place
     * whose constructor never sees a half-written value.
     *
     * @return the record, or null when the sequence moved (a write overlapped the reads)
     */
    Object readIfUnchanged(MemorySegment segment, long offset, MemorySegment control, long sequenceOffset, int sequence);

    /**
     * Stores the fields of {@code value}, a non-null record of the generated type, at {@code offset}, and zeros over
     * the struct's padding. Every accessor is called before the first store, so an accessor that throws leaves the
     * memory unchanged.
     */
    void write(MemorySegment segment, long offset, Object value);
}
