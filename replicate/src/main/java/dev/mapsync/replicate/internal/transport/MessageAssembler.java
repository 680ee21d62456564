package dev.mapsync.replicate.internal.transport;

import dev.mapsync.replicate.internal.wire.CorruptMessageException;
import io.aeron.FragmentAssembler;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2IntHashMap;

/**
 * Assembles each image's fragments into whole messages for a handler, as Aeron's {@link FragmentAssembler} does,
 * but refuses a message once it is longer than any a leader sends: Aeron's assembler would buffer the fragments of
 * a message that never ends for as long as they come, up to the heap's end. Used by one thread.
 */
public final class MessageAssembler implements FragmentHandler {
    /** The longest message a leader sends: Aeron's limit for the live stream's term length. */
    public static final int MAX_MESSAGE = FrameDescriptor.computeMaxMessageLength(Endpoint.TERM_BYTES);
    private static final int NONE = -1;
    private final FragmentAssembler assembler;
    /** Per session, the bytes of the message being assembled so far. */
    private final Int2IntHashMap assembled = new Int2IntHashMap(NONE);

    /** Hands whole messages to {@code handler}. */
    public MessageAssembler(FragmentHandler handler) {
        this.assembler = new FragmentAssembler(handler);
    }

    /**
     * Takes one fragment.
     *
     * @throws CorruptMessageException if it makes its message longer than {@link #MAX_MESSAGE} bytes (the fragments
     *                                 so far are dropped)
     */
    @Override
    public void onFragment(DirectBuffer buffer, int offset, int length, Header header) {
        byte flags = header.flags();
        int session = header.sessionId();
        if ((flags & FrameDescriptor.UNFRAGMENTED) == FrameDescriptor.UNFRAGMENTED) {
            assembled.remove(session);
        } else if ((flags & FrameDescriptor.BEGIN_FRAG_FLAG) != 0) {
            assembled.put(session, length);
        } else if (assembled.get(session) != NONE) { // a fragment of no message begun is dropped by the assembler
            long sofar = (long) assembled.get(session) + length;
            if (sofar > MAX_MESSAGE) {
                assembled.remove(session);
                assembler.freeSessionBuffer(session);
                throw new CorruptMessageException(
                        "a message longer than " + MAX_MESSAGE + " bytes, the most a leader sends");
            }
            if ((flags & FrameDescriptor.END_FRAG_FLAG) != 0) assembled.remove(session);
            else assembled.put(session, (int) sofar);
        }
        assembler.onFragment(buffer, offset, length, header);
    }
}
