package dev.raft.core.internal.runtime;

import java.nio.ByteBuffer;
import org.agrona.DirectBuffer;

/** Views of Agrona buffers as NIO buffers for the storage SPI. */
final class Buffers {
    private Buffers() {
    }

    /** A view of bytes {@code [0, length)} of {@code buffer} as a ByteBuffer positioned at them. */
    static ByteBuffer view(DirectBuffer buffer, int length) {
        final int at = buffer.wrapAdjustment();
        if (buffer.byteBuffer() != null) {
            return buffer.byteBuffer().duplicate().limit(at + length).position(at);
        }
        return ByteBuffer.wrap(buffer.byteArray(), at, length);
    }
}
