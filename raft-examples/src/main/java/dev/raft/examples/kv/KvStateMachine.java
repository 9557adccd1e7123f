package dev.raft.examples.kv;

import dev.raft.api.EntryType;
import dev.raft.api.EntryView;
import dev.raft.api.LogId;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.statemachine.SnapshotWriter;
import dev.raft.api.statemachine.StateMachine;
import dev.raft.examples.internal.codec.BooleanType;
import dev.raft.examples.internal.codec.KvCommandDecoder;
import dev.raft.examples.internal.codec.KvOp;
import dev.raft.examples.internal.codec.KvStatus;
import dev.raft.examples.internal.codec.MessageHeaderDecoder;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.agrona.DirectBuffer;

/**
 * The replicated key-value map, with counters ({@code INCR}). Commands are {@link KvCommands}' SBE messages; a malformed command changes
 * nothing and answers {@link KvResult.Status#MALFORMED}, identically on every replica. The snapshot is the
 * whole map, written as {@code magic, version, term, index, count, (key length, key, value length,
 * value)*}.
 *
 * <p>The node applies from its own thread; {@link #value}, {@link #size} and {@link #lastApplied} may be
 * called from any thread (the map is guarded by this object's monitor).
 */
public final class KvStateMachine implements StateMachine {
    private static final int SNAPSHOT_MAGIC = 0x524b5631; // "RKV1"
    private static final int SNAPSHOT_VERSION = 1;

    private final TreeMap<String, byte[]> map = new TreeMap<>();
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final KvCommandDecoder decoder = new KvCommandDecoder();
    private LogId lastApplied = LogId.NONE;

    /** An empty map. */
    public KvStateMachine() {
    }

    @Override
    public synchronized byte[] apply(EntryView entry) {
        if (entry.index() != lastApplied.index() + 1) {
            throw new IllegalStateException("KvStateMachine.apply: entry " + entry.index() + " does not follow the last applied "
                + lastApplied);
        }
        lastApplied = LogId.of(entry.term(), entry.index());
        if (entry.type() != EntryType.NORMAL) {
            return null;
        }
        return decodeAndExecute(entry.payload(), 0, entry.payloadLength(), false);
    }

    /**
     * Answers a GET command ({@link KvCommands#get}) from the applied map, without the log; any other command
     * changes nothing and answers {@link KvResult.Status#MALFORMED}.
     */
    @Override
    public synchronized byte[] query(DirectBuffer query, int offset, int length) {
        return decodeAndExecute(query, offset, length, true);
    }

    private byte[] decodeAndExecute(DirectBuffer payload, int offset, int length, boolean readOnly) {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH) {
            return KvCommands.result(KvStatus.MALFORMED, null);
        }
        header.wrap(payload, offset);
        if (header.schemaId() != KvCommandDecoder.SCHEMA_ID || header.templateId() != KvCommandDecoder.TEMPLATE_ID
            || length < MessageHeaderDecoder.ENCODED_LENGTH + header.blockLength() + 3 * 4) {
            return KvCommands.result(KvStatus.MALFORMED, null);
        }
        decoder.wrapAndApplyHeader(payload, offset, header);
        final KvOp op = decoder.op();
        if (readOnly && op != KvOp.GET) {
            return KvCommands.result(KvStatus.MALFORMED, null);
        }
        final BooleanType expectPresent = decoder.expectPresent();
        try {
            final byte[] k = bytes(decoder.keyLength(), length);
            decoder.getKey(k, 0, k.length);
            final byte[] value = bytes(decoder.valueLength(), length);
            decoder.getValue(value, 0, value.length);
            final byte[] expected = bytes(decoder.expectedLength(), length);
            decoder.getExpected(expected, 0, expected.length);
            return execute(op, new String(k, StandardCharsets.UTF_8), value, expectPresent == BooleanType.TRUE, expected);
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            return KvCommands.result(KvStatus.MALFORMED, null);
        }
    }

    private static byte[] bytes(int length, int payloadLength) {
        if (length < 0 || length > payloadLength) {
            throw new IllegalArgumentException("field length " + length + " exceeds the payload length " + payloadLength);
        }
        return new byte[length];
    }

    private byte[] execute(KvOp op, String key, byte[] value, boolean expectPresent, byte[] expected) {
        switch (op) {
            case PUT: {
                final byte[] previous = map.put(key, value);
                return KvCommands.result(KvStatus.OK, previous);
            }
            case GET: {
                final byte[] current = map.get(key);
                return current == null ? KvCommands.result(KvStatus.NOT_FOUND, null) : KvCommands.result(KvStatus.OK, current);
            }
            case DELETE: {
                final byte[] previous = map.remove(key);
                return previous == null ? KvCommands.result(KvStatus.NOT_FOUND, null) : KvCommands.result(KvStatus.OK, previous);
            }
            case CAS: {
                final byte[] current = map.get(key);
                final boolean matches = expectPresent ? current != null && Arrays.equals(current, expected) : current == null;
                if (!matches) {
                    return KvCommands.result(KvStatus.CAS_FAILED, current);
                }
                map.put(key, value);
                return KvCommands.result(KvStatus.OK, current);
            }
            case INCR:
                return increment(key, value);
            default:
                return KvCommands.result(KvStatus.MALFORMED, null);
        }
    }

    /**
     * Adds the 8-byte little-endian delta in {@code delta} to the counter at {@code key} (absent = 0), stored as
     * decimal text; answers the new value. A key holding anything but a decimal 64-bit integer, or a sum that would
     * overflow, changes nothing and answers NOT_A_COUNTER with the current value.
     */
    private byte[] increment(String key, byte[] delta) {
        if (delta.length != Long.BYTES) {
            return KvCommands.result(KvStatus.MALFORMED, null);
        }
        final byte[] current = map.get(key);
        final long base;
        try {
            base = current == null ? 0 : Long.parseLong(new String(current, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            return KvCommands.result(KvStatus.NOT_A_COUNTER, current);
        }
        final long sum;
        try {
            sum = Math.addExact(base, KvCommands.delta(delta));
        } catch (ArithmeticException e) {
            return KvCommands.result(KvStatus.NOT_A_COUNTER, current);
        }
        final byte[] stored = Long.toString(sum).getBytes(StandardCharsets.US_ASCII);
        map.put(key, stored);
        return KvCommands.result(KvStatus.OK, stored);
    }

    @Override
    public synchronized LogId lastApplied() {
        return lastApplied;
    }

    /** A copy of the value of {@code key}, or null. */
    public synchronized byte[] value(String key) {
        final byte[] v = map.get(key);
        return v == null ? null : v.clone();
    }

    /** The number of keys. */
    public synchronized int size() {
        return map.size();
    }

    @Override
    public synchronized SnapshotWriter takeSnapshot() {
        // values are never mutated in place (apply stores fresh arrays), so a shallow copy captures the state
        final TreeMap<String, byte[]> copy = new TreeMap<>(map);
        final LogId last = lastApplied;
        return new SnapshotWriter() {
            @Override
            public LogId lastApplied() {
                return last;
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                final DataOutputStream data = new DataOutputStream(new java.io.BufferedOutputStream(out));
                data.writeInt(SNAPSHOT_MAGIC);
                data.writeInt(SNAPSHOT_VERSION);
                data.writeLong(last.term());
                data.writeLong(last.index());
                data.writeInt(copy.size());
                for (Map.Entry<String, byte[]> e : copy.entrySet()) {
                    final byte[] k = e.getKey().getBytes(StandardCharsets.UTF_8);
                    data.writeInt(k.length);
                    data.write(k);
                    data.writeInt(e.getValue().length);
                    data.write(e.getValue());
                }
                data.flush();
            }
        };
    }

    @Override
    public synchronized void restore(SnapshotMeta meta, InputStream in) throws IOException {
        final DataInputStream data = new DataInputStream(new java.io.BufferedInputStream(in));
        final int magic = data.readInt();
        final int version = data.readInt();
        if (magic != SNAPSHOT_MAGIC || version != SNAPSHOT_VERSION) {
            throw new IOException("KvStateMachine.restore: snapshot " + meta.snapshotId() + " has magic 0x"
                + Integer.toHexString(magic) + " version " + version + " at byte 0, expected 0x"
                + Integer.toHexString(SNAPSHOT_MAGIC) + " version " + SNAPSHOT_VERSION);
        }
        final LogId last = LogId.of(data.readLong(), data.readLong());
        if (!last.equals(meta.lastLogId())) {
            throw new IOException("KvStateMachine.restore: snapshot " + meta.snapshotId() + " holds the state as of " + last
                + " but its meta says " + meta.lastLogId());
        }
        final int count = data.readInt();
        if (count < 0) {
            throw new IOException("KvStateMachine.restore: snapshot " + meta.snapshotId() + " has a negative key count " + count
                + " at byte 24");
        }
        final TreeMap<String, byte[]> restored = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            final byte[] k = readBytes(data, meta, i);
            final byte[] v = readBytes(data, meta, i);
            restored.put(new String(k, StandardCharsets.UTF_8), v);
        }
        map.clear();
        map.putAll(restored);
        lastApplied = last;
    }

    private static byte[] readBytes(DataInputStream data, SnapshotMeta meta, int pair) throws IOException {
        final int length = data.readInt();
        if (length < 0 || length > 64 * 1024 * 1024) {
            throw new IOException("KvStateMachine.restore: snapshot " + meta.snapshotId() + " pair " + pair
                + " has a length " + length + " outside [0, 64 MiB]");
        }
        final byte[] bytes = new byte[length];
        data.readFully(bytes);
        return bytes;
    }
}
