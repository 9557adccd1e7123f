package dev.raft.transport.aeron.internal.channel;

import dev.raft.api.message.RaftMessage;
import dev.raft.transport.aeron.internal.codec.MessageHeaderDecoder;
import dev.raft.transport.aeron.internal.counters.ReceiveDrop;
import java.nio.ByteOrder;
import org.agrona.DirectBuffer;

/**
 * The frame being decoded: its buffer and end, the checks of a var-data length against that end, and the
 * message accepted once it ends exactly where the frame does. Shared by {@link FrameDecoder} and
 * {@link SnapshotFrames} for one frame at a time; allocation-free. One instance per receiving thread.
 */
final class FrameBounds {
    static final ByteOrder ORDER = MessageHeaderDecoder.BYTE_ORDER;

    private DirectBuffer buffer;
    private int end;
    private RaftMessage message;

    /** Starts a frame that ends at {@code end} of {@code buffer}; no message is decoded yet. */
    void wrap(DirectBuffer buffer, int end) {
        this.buffer = buffer;
        this.end = end;
        this.message = null;
    }

    /** Forgets the last message (a frame dropped before its bounds were known). */
    void clear() {
        message = null;
    }

    DirectBuffer buffer() {
        return buffer;
    }

    int end() {
        return end;
    }

    /** The message accepted by the last {@link #finish}, or null. */
    RaftMessage message() {
        return message;
    }

    /** Accepts the message if the frame ends exactly where it does; bytes after it are malformed. */
    ReceiveDrop finish(int limit, RaftMessage decoded) {
        if (limit != end) {
            return ReceiveDrop.BAD_LENGTH;
        }
        message = decoded;
        return null;
    }

    /** The length of the var-data at {@code limit}, or -1 if its length field or its bytes leave the frame. */
    int varLength(int limit, int headerLength) {
        if (headerLength > end - limit) {
            return -1;
        }
        final long length = headerLength == 2 ? buffer.getShort(limit, ORDER) & 0xFFFF : buffer.getInt(limit, ORDER) & 0xFFFF_FFFFL;
        return length > end - limit - headerLength ? -1 : (int) length;
    }

    /** 0 or 1 for a flag's raw code, -1 for any other code. */
    static int flag(int raw) {
        return raw == 0 || raw == 1 ? raw : -1;
    }
}
