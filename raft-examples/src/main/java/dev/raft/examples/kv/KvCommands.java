package dev.raft.examples.kv;

import dev.raft.examples.internal.codec.BooleanType;
import dev.raft.examples.internal.codec.KvCommandEncoder;
import dev.raft.examples.internal.codec.KvOp;
import dev.raft.examples.internal.codec.KvResultDecoder;
import dev.raft.examples.internal.codec.KvResultEncoder;
import dev.raft.examples.internal.codec.KvStatus;
import dev.raft.examples.internal.codec.MessageHeaderDecoder;
import dev.raft.examples.internal.codec.MessageHeaderEncoder;
import java.nio.charset.StandardCharsets;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The deterministic binary encoding of key-value commands and results: SBE messages {@code KvCommand} and
 * {@code KvResult} of {@code raftkv-messages.xml}, generated at build time. A command's bytes are the
 * payload of its log entry; the result's bytes are what {@link dev.raft.api.RaftNode#propose} completes
 * with.
 */
public final class KvCommands {
    private static final byte[] NONE = new byte[0];

    private KvCommands() {
    }

    /** PUT {@code key = value}; the result carries the previous value. */
    public static byte[] put(String key, byte[] value) {
        return command(KvOp.PUT, key, value, NONE, false);
    }

    /** GET {@code key}, through the log (linearizable, one log entry per read). */
    public static byte[] get(String key) {
        return command(KvOp.GET, key, NONE, NONE, false);
    }

    /** DELETE {@code key}; the result carries the previous value, or NOT_FOUND. */
    public static byte[] delete(String key) {
        return command(KvOp.DELETE, key, NONE, NONE, false);
    }

    /**
     * Compare-and-set: sets {@code key = value} if it holds {@code expected}, or, when {@code expected} is
     * null, if it does not exist.
     */
    public static byte[] compareAndSet(String key, byte[] expected, byte[] value) {
        return command(KvOp.CAS, key, value, expected == null ? NONE : expected, expected != null);
    }

    /**
     * INCR: adds {@code delta} to the counter at {@code key} (an absent key counts as 0; the value is kept as decimal
     * text). OK carries the new value as decimal text; NOT_A_COUNTER, the current value, when the key holds no
     * decimal 64-bit integer or the sum would overflow.
     */
    public static byte[] increment(String key, long delta) {
        final byte[] d = new byte[Long.BYTES];
        new UnsafeBuffer(d).putLong(0, delta, java.nio.ByteOrder.LITTLE_ENDIAN);
        return command(KvOp.INCR, key, d, NONE, false);
    }

    /** The delta of an INCR command's 8-byte value. */
    static long delta(byte[] value) {
        return new UnsafeBuffer(value).getLong(0, java.nio.ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] command(KvOp op, String key, byte[] value, byte[] expected, boolean expectPresent) {
        final byte[] k = key.getBytes(StandardCharsets.UTF_8);
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(64 + k.length + value.length + expected.length);
        final KvCommandEncoder encoder = new KvCommandEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .op(op)
            .expectPresent(expectPresent ? BooleanType.TRUE : BooleanType.FALSE)
            .putKey(k, 0, k.length)
            .putValue(value, 0, value.length)
            .putExpected(expected, 0, expected.length);
        return copy(buffer, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    static byte[] result(KvStatus status, byte[] value) {
        final byte[] v = value == null ? NONE : value;
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(32 + v.length);
        final KvResultEncoder encoder = new KvResultEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .status(status)
            .putValue(v, 0, v.length);
        return copy(buffer, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    /**
     * Decodes the response of a proposed command.
     *
     * @throws IllegalArgumentException naming the template id and length if the bytes are no KvResult
     */
    public static KvResult decodeResult(byte[] bytes) {
        final DirectBuffer buffer = new UnsafeBuffer(bytes);
        final MessageHeaderDecoder header = new MessageHeaderDecoder();
        if (bytes.length < MessageHeaderDecoder.ENCODED_LENGTH) {
            throw new IllegalArgumentException("KvResult: " + bytes.length + " bytes, shorter than the SBE header");
        }
        header.wrap(buffer, 0);
        if (header.schemaId() != KvResultDecoder.SCHEMA_ID || header.templateId() != KvResultDecoder.TEMPLATE_ID) {
            throw new IllegalArgumentException("KvResult: schema " + header.schemaId() + " template " + header.templateId()
                + " in " + bytes.length + " bytes, expected schema " + KvResultDecoder.SCHEMA_ID + " template "
                + KvResultDecoder.TEMPLATE_ID);
        }
        final KvResultDecoder decoder = new KvResultDecoder().wrapAndApplyHeader(buffer, 0, header);
        final KvStatus status = decoder.status();
        final byte[] value = new byte[decoder.valueLength()];
        decoder.getValue(value, 0, value.length);
        final KvResult.Status mapped = switch (status) {
            case OK -> KvResult.Status.OK;
            case NOT_FOUND -> KvResult.Status.NOT_FOUND;
            case CAS_FAILED -> KvResult.Status.CAS_FAILED;
            case NOT_A_COUNTER -> KvResult.Status.NOT_A_COUNTER;
            case MALFORMED, NULL_VAL -> KvResult.Status.MALFORMED;
        };
        return new KvResult(mapped, value);
    }

    private static byte[] copy(DirectBuffer buffer, int length) {
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        return bytes;
    }
}
