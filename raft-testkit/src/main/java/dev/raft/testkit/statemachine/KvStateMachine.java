package dev.raft.testkit.statemachine;

import dev.raft.api.EntryType;
import dev.raft.api.EntryView;
import dev.raft.api.LogId;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.statemachine.SnapshotWriter;
import dev.raft.api.statemachine.StateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.agrona.DirectBuffer;

/**
 * A deterministic key-value state machine for tests. Commands (see {@link #put} and {@link #get}):
 * <ul>
 *   <li>PUT {@code [1][key length: int][key UTF-8][value bytes]}: sets the key; responds with the previous
 *       value (empty if none);</li>
 *   <li>GET {@code [2][key UTF-8]}: responds with the value (empty if none);</li>
 *   <li>CAS {@code [3][key length: int][key UTF-8][expected length: int, -1 for absent][expected bytes][value
 *       bytes]}: sets the key to the value if its current value equals the expected one (absent if -1);
 *       responds with {@code [1]} if it did, {@code [0]} if not (see {@link #cas});</li>
 *   <li>anything else: changes nothing but the digest; responds with an empty array.</li>
 * </ul>
 * {@link #query} answers a GET command from the applied state (reads without the log).
 * Every applied entry (of any type) extends a running {@link #digest()} over its index, term and payload,
 * so two replicas that applied the same entries in the same order have the same digest. Reads from other
 * threads are safe ({@code synchronized}); the node applies from its own thread.
 */
public final class KvStateMachine implements StateMachine {
    private static final byte PUT = 1;
    private static final byte GET = 2;
    private static final byte CAS = 3;
    private static final byte[] SWAPPED = {1};
    private static final byte[] NOT_SWAPPED = {0};
    private static final byte[] EMPTY = new byte[0];

    private final TreeMap<String, byte[]> map = new TreeMap<>();
    private final long snapshotPadding;
    private final CRC32C crc = new CRC32C();
    private LogId lastApplied = LogId.NONE;
    private long digest;
    private long appliedCommands;

    /** An empty state machine. */
    public KvStateMachine() {
        this(0);
    }

    /**
     * An empty state machine whose snapshots carry {@code snapshotPaddingBytes} extra bytes after the map (a
     * deterministic pattern, checked on restore): big snapshots for transfer tests without a big state.
     */
    public KvStateMachine(long snapshotPaddingBytes) {
        if (snapshotPaddingBytes < 0) {
            throw new IllegalArgumentException("KvStateMachine: snapshotPaddingBytes " + snapshotPaddingBytes + " must be >= 0");
        }
        this.snapshotPadding = snapshotPaddingBytes;
    }

    /** Byte {@code i} of the padding of a snapshot whose digest is {@code digest}. */
    private static byte paddingByte(long digest, long i) {
        return (byte) (digest ^ (i * 0x9E3779B97F4A7C15L >>> 56));
    }

    /** Encodes a PUT command. */
    public static byte[] put(String key, byte[] value) {
        final byte[] k = key.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + 4 + k.length + value.length).put(PUT).putInt(k.length).put(k).put(value).array();
    }

    /** Encodes a GET command. */
    public static byte[] get(String key) {
        final byte[] k = key.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + k.length).put(GET).put(k).array();
    }

    /**
     * Encodes a compare-and-set command.
     *
     * @param expected the value the key must hold, or null if it must be absent
     */
    public static byte[] cas(String key, byte[] expected, byte[] value) {
        final byte[] k = key.getBytes(StandardCharsets.UTF_8);
        final int expectedLength = expected == null ? 0 : expected.length;
        final ByteBuffer b = ByteBuffer.allocate(1 + 4 + k.length + 4 + expectedLength + value.length)
            .put(CAS).putInt(k.length).put(k).putInt(expected == null ? -1 : expected.length);
        if (expected != null) {
            b.put(expected);
        }
        return b.put(value).array();
    }

    /** Whether the response to a {@link #cas} command says the value was set. */
    public static boolean swapped(byte[] casResponse) {
        return casResponse.length == 1 && casResponse[0] == 1;
    }

    @Override
    public synchronized byte[] apply(EntryView entry) {
        if (entry.index() != lastApplied.index() + 1) {
            throw new IllegalStateException("KvStateMachine.apply: entry " + entry.index() + " does not follow "
                + lastApplied);
        }
        final DirectBuffer payload = entry.payload();
        final int length = entry.payloadLength();
        final byte[] bytes = new byte[length];
        payload.getBytes(0, bytes);
        crc.reset();
        crc.update(bytes);
        digest = digest * 1_000_003L + (entry.index() * 31 + entry.term()) * 17 + crc.getValue();
        lastApplied = LogId.of(entry.term(), entry.index());
        if (entry.type() != EntryType.NORMAL) {
            return null;
        }
        appliedCommands++;
        if (length >= 5 && bytes[0] == PUT) {
            final int keyLength = ByteBuffer.wrap(bytes, 1, 4).getInt();
            if (keyLength >= 0 && keyLength <= length - 5) {
                final String key = new String(bytes, 5, keyLength, StandardCharsets.UTF_8);
                final byte[] value = java.util.Arrays.copyOfRange(bytes, 5 + keyLength, length);
                final byte[] previous = map.put(key, value);
                return previous == null ? EMPTY : previous;
            }
        } else if (length >= 9 && bytes[0] == CAS) {
            return applyCas(bytes, length);
        } else if (length >= 1 && bytes[0] == GET) {
            final byte[] value = map.get(new String(bytes, 1, length - 1, StandardCharsets.UTF_8));
            return value == null ? EMPTY : value;
        }
        return EMPTY;
    }

    /** Answers a GET command ({@link #get}) from the applied state: the value, empty if none; else an empty array. */
    @Override
    public synchronized byte[] query(DirectBuffer query, int offset, int length) {
        if (length >= 1 && query.getByte(offset) == GET) {
            final byte[] key = new byte[length - 1];
            query.getBytes(offset + 1, key);
            final byte[] value = map.get(new String(key, StandardCharsets.UTF_8));
            return value == null ? EMPTY : value.clone();
        }
        throw new IllegalArgumentException("KvStateMachine.query: not a GET command (" + length + " bytes)");
    }

    /** Applies a CAS command; a malformed one changes nothing and responds with an empty array. */
    private byte[] applyCas(byte[] bytes, int length) {
        final ByteBuffer b = ByteBuffer.wrap(bytes, 0, length);
        final int keyLength = b.getInt(1);
        if (keyLength < 0 || keyLength > length - 9) {
            return EMPTY;
        }
        final int expectedLength = b.getInt(5 + keyLength);
        final int valueStart = 9 + keyLength + Math.max(expectedLength, 0);
        if (expectedLength < -1 || valueStart > length) {
            return EMPTY;
        }
        final String key = new String(bytes, 5, keyLength, StandardCharsets.UTF_8);
        final byte[] current = map.get(key);
        final boolean matches = expectedLength < 0 ? current == null
            : current != null && java.util.Arrays.equals(current, 0, current.length, bytes, 9 + keyLength, valueStart);
        if (!matches) {
            return NOT_SWAPPED;
        }
        map.put(key, java.util.Arrays.copyOfRange(bytes, valueStart, length));
        return SWAPPED;
    }

    @Override
    public synchronized LogId lastApplied() {
        return lastApplied;
    }

    /** The value of {@code key}, or null. */
    public synchronized byte[] value(String key) {
        final byte[] v = map.get(key);
        return v == null ? null : v.clone();
    }

    /** The number of keys. */
    public synchronized int size() {
        return map.size();
    }

    /** The running digest of every applied entry. */
    public synchronized long digest() {
        return digest;
    }

    /**
     * The last applied index and the digest, read together: equal fingerprints mean two replicas applied
     * the same entries in the same order.
     */
    public synchronized String fingerprint() {
        return lastApplied.index() + ":" + Long.toHexString(digest);
    }

    /** The number of NORMAL entries applied (since start or the restored snapshot's count). */
    public synchronized long appliedCommands() {
        return appliedCommands;
    }

    @Override
    public synchronized SnapshotWriter takeSnapshot() {
        final TreeMap<String, byte[]> copy = new TreeMap<>(map);
        final LogId last = lastApplied;
        final long d = digest;
        final long commands = appliedCommands;
        return new SnapshotWriter() {
            @Override
            public LogId lastApplied() {
                return last;
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                final DataOutputStream data = new DataOutputStream(out);
                data.writeLong(d);
                data.writeLong(commands);
                data.writeInt(copy.size());
                for (Map.Entry<String, byte[]> e : copy.entrySet()) {
                    data.writeUTF(e.getKey());
                    data.writeInt(e.getValue().length);
                    data.write(e.getValue());
                }
                data.writeLong(snapshotPadding);
                final byte[] block = new byte[1 << 16];
                for (long written = 0; written < snapshotPadding; ) {
                    final int n = (int) Math.min(block.length, snapshotPadding - written);
                    for (int i = 0; i < n; i++) {
                        block[i] = paddingByte(d, written + i);
                    }
                    data.write(block, 0, n);
                    written += n;
                }
                data.flush();
            }
        };
    }

    @Override
    public synchronized void restore(SnapshotMeta meta, InputStream in) throws IOException {
        final DataInputStream data = new DataInputStream(in);
        final long d = data.readLong();
        final long commands = data.readLong();
        final int size = data.readInt();
        if (size < 0) {
            throw new IOException("KvStateMachine.restore: snapshot " + meta.snapshotId() + " has a negative key count "
                + size + " at byte 16");
        }
        final TreeMap<String, byte[]> restored = new TreeMap<>();
        for (int i = 0; i < size; i++) {
            final String key = data.readUTF();
            final int length = data.readInt();
            if (length < 0) {
                throw new IOException("KvStateMachine.restore: snapshot " + meta.snapshotId() + " has a negative value"
                    + " length " + length + " for key " + i);
            }
            final byte[] value = new byte[length];
            data.readFully(value);
            restored.put(key, value);
        }
        final long padding = data.readLong();
        final byte[] block = new byte[1 << 16];
        for (long read = 0; read < padding; ) {
            final int n = (int) Math.min(block.length, padding - read);
            data.readFully(block, 0, n);
            for (int i = 0; i < n; i++) {
                if (block[i] != paddingByte(d, read + i)) {
                    throw new IOException("KvStateMachine.restore: snapshot " + meta.snapshotId() + " has a corrupt padding"
                        + " byte at padding offset " + (read + i));
                }
            }
            read += n;
        }
        map.clear();
        map.putAll(restored);
        digest = d;
        appliedCommands = commands;
        lastApplied = meta.lastLogId();
    }

    @Override
    public synchronized String toString() {
        return "KvStateMachine{applied=" + lastApplied + " keys=" + map.size() + " digest=" + Long.toHexString(digest) + "}";
    }
}
