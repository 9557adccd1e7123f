package dev.raft.transport.aeron.internal.channel;

import dev.raft.api.message.MessageType;
import dev.raft.api.message.RaftMessage;
import dev.raft.transport.aeron.internal.codec.MessageHeaderDecoder;
import dev.raft.transport.aeron.internal.counters.ReceiveDrop;
import java.util.Random;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Generates fuzz frames for node 2 of cluster {@link Messages#CLUSTER} with members 1, 2, 3: random bytes,
 * header faults, truncations and bit flips of valid frames, each labelled with what the receiver must do.
 */
final class FuzzFrames {
    /** What the receiver must do with a frame. */
    enum Expect {
        /** A valid frame: must be delivered. */
        DELIVER,
        /** A frame that cannot be valid: must be dropped. */
        DROP,
        /** A bit-flipped frame: may be valid or not, must not break anything. */
        EITHER
    }

    private final Random rnd;
    private final UnsafeBuffer[] pool;
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[4 * 1024 * 1024]);
    private int length;
    private Expect expect;
    private ReceiveDrop reason;

    FuzzFrames(long seed) {
        rnd = new Random(seed);
        pool = new UnsafeBuffer[256];
        final MessageType[] types = MessageType.values();
        for (int i = 0; i < pool.length; i++) {
            final RaftMessage m = Messages.random(rnd, types[i % types.length], 1, 2, 64);
            m.term(m.term() & 0xFFFFF);
            pool[i] = Messages.frame(m);
        }
    }

    /** Makes the next frame; {@code validMessage} is a frame to use for the DELIVER case, or null to pick one. */
    void next(UnsafeBuffer validMessage) {
        reason = null;
        final int dice = rnd.nextInt(100);
        if (dice < 15) {
            copy(validMessage != null ? validMessage : pool[rnd.nextInt(pool.length)]);
            expect = Expect.DELIVER;
        } else if (dice < 30) {
            length = 1 + rnd.nextInt(256);
            for (int i = 0; i < length; i++) {
                frame.putByte(i, (byte) rnd.nextInt());
            }
            expect = Expect.DROP;
        } else if (dice < 50) {
            copy(pool[rnd.nextInt(pool.length)]);
            expect = Expect.DROP;
            final int fault = rnd.nextInt(5);
            reason = switch (fault) {
                case 0 -> putInt(MessageHeaderDecoder.clusterIdEncodingOffset(), Messages.CLUSTER + 1 + rnd.nextInt(1000),
                    ReceiveDrop.WRONG_CLUSTER);
                case 1 -> putInt(MessageHeaderDecoder.targetIdEncodingOffset(), rnd.nextBoolean() ? 1 : 3, ReceiveDrop.WRONG_TARGET);
                case 2 -> putInt(MessageHeaderDecoder.senderIdEncodingOffset(), 4 + rnd.nextInt(1000), ReceiveDrop.UNKNOWN_SENDER);
                case 3 -> putShort(MessageHeaderDecoder.schemaIdEncodingOffset(), rnd.nextInt(7301), ReceiveDrop.UNKNOWN_SCHEMA);
                default -> putShort(MessageHeaderDecoder.versionEncodingOffset(), rnd.nextBoolean() ? 0 : MessageHeaderDecoder.SCHEMA_VERSION + 1 + rnd.nextInt(100),
                    ReceiveDrop.UNKNOWN_VERSION);
            };
        } else if (dice < 65) {
            copy(pool[rnd.nextInt(pool.length)]);
            length = 1 + rnd.nextInt(length - 1);
            expect = Expect.DROP;
        } else {
            copy(pool[rnd.nextInt(pool.length)]);
            final int flips = 1 + rnd.nextInt(4);
            for (int i = 0; i < flips; i++) {
                final int bit = rnd.nextInt(length * 8);
                frame.putByte(bit / 8, (byte) (frame.getByte(bit / 8) ^ (1 << (bit % 8))));
            }
            expect = Expect.EITHER;
        }
    }

    private void copy(UnsafeBuffer source) {
        length = source.capacity();
        frame.putBytes(0, source, 0, length);
    }

    private ReceiveDrop putInt(int at, int value, ReceiveDrop why) {
        frame.putInt(at, value, MessageHeaderDecoder.BYTE_ORDER);
        return why;
    }

    private ReceiveDrop putShort(int at, int value, ReceiveDrop why) {
        frame.putShort(at, (short) value, MessageHeaderDecoder.BYTE_ORDER);
        return why;
    }

    MutableDirectBuffer buffer() {
        return frame;
    }

    int length() {
        return length;
    }

    Expect expect() {
        return expect;
    }

    /** The exact drop reason of a header fault, or null. */
    ReceiveDrop reason() {
        return reason;
    }
}
