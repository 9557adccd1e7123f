package dev.raft.api;

import org.agrona.DirectBuffer;

/**
 * A read-only view of one log entry, valid only until the call that handed it out returns or the
 * view is re-pointed (views are reused to keep the hot path free of allocation). Copy what you keep:
 * {@link #toEntry()} does.
 */
public interface EntryView {
    /** The term of the entry. */
    long term();

    /** The index of the entry. */
    long index();

    /** The type of the entry. */
    EntryType type();

    /** The payload: a buffer whose capacity is exactly the payload length. Do not retain it. */
    DirectBuffer payload();

    /** The payload length in bytes. */
    default int payloadLength() {
        return payload().capacity();
    }

    /** The log id of the entry. Allocates. */
    default LogId logId() {
        return LogId.of(term(), index());
    }

    /** An immutable copy. Allocates. */
    default Entry toEntry() {
        final byte[] bytes = new byte[payloadLength()];
        payload().getBytes(0, bytes);
        return new Entry(term(), index(), type(), bytes);
    }
}
