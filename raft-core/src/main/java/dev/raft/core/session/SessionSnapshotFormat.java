package dev.raft.core.session;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.agrona.collections.LongHashSet;

/**
 * The session table's part of a snapshot, written before the application's state (big-endian):
 *
 * <pre>
 * int   magic 0x52535354 ("RSST")      int  version 1
 * long  clockMillis                    int  sessionCount   [0, maxSessions]
 * per session, oldest activity first:
 *   long clientId      != 0, unique
 *   long ackedBelow    &gt;= 1
 *   long lastActive    non-decreasing, &lt;= clockMillis
 *   int  responseCount [0, maxResponsesPerSession]
 *   per response, by increasing sequence:
 *     long sequence    &gt;= ackedBelow, increasing
 *     byte kind        0 = no response, 1 = response, 2 = too long, not kept
 *     (kind 1) int length [0, maxResponseBytes], then the bytes
 * </pre>
 *
 * <p>Reading checks every field against its bound before it allocates anything, and the bytes of all responses
 * against {@code maxTotalResponseBytes + maxResponseBytes}; a violation is an {@link IOException} of one line naming
 * the snapshot, the field and its byte offset.
 */
final class SessionSnapshotFormat {
    static final int MAGIC = 0x52535354;
    static final int VERSION = 1;
    private static final byte KIND_NONE = 0;
    private static final byte KIND_RESPONSE = 1;
    private static final byte KIND_NOT_KEPT = 2;

    private SessionSnapshotFormat() {
    }

    static void write(DataOutputStream out, long clockMillis, List<SessionTable.Captured> sessions) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeLong(clockMillis);
        out.writeInt(sessions.size());
        for (SessionTable.Captured s : sessions) {
            out.writeLong(s.clientId());
            out.writeLong(s.ackedBelow());
            out.writeLong(s.lastActiveMillis());
            out.writeInt(s.responses().size());
            for (Map.Entry<Long, byte[]> r : s.responses().entrySet()) {
                out.writeLong(r.getKey());
                final byte[] v = r.getValue();
                if (v == SessionTable.NO_RESPONSE) {
                    out.writeByte(KIND_NONE);
                } else if (v == SessionTable.NOT_KEPT) {
                    out.writeByte(KIND_NOT_KEPT);
                } else {
                    out.writeByte(KIND_RESPONSE);
                    out.writeInt(v.length);
                    out.write(v);
                }
            }
        }
    }

    /** The table read from a snapshot. */
    record Table(long clockMillis, List<SessionTable.Captured> sessions) {
    }

    static Table read(InputStream in, String snapshotId, SessionLimits limits) throws IOException {
        final Reader r = new Reader(in, snapshotId);
        final int magic = r.readInt("magic");
        if (magic != MAGIC) {
            throw r.bad("magic", "0x" + Integer.toHexString(magic), "0x" + Integer.toHexString(MAGIC) + " (a session table)");
        }
        final int version = r.readInt("version");
        if (version != VERSION) {
            throw r.bad("version", version, "version " + VERSION);
        }
        final long clock = r.readLong("clockMillis");
        final int count = r.readInt("sessionCount");
        if (count < 0 || count > limits.maxSessions()) {
            throw r.bad("sessionCount", count, "[0, " + limits.maxSessions() + "]");
        }
        final List<SessionTable.Captured> sessions = new ArrayList<>(count);
        final LongHashSet seen = new LongHashSet();
        final long maxTotal = limits.maxTotalResponseBytes() + limits.maxResponseBytes();
        long total = 0;
        long previousActive = Long.MIN_VALUE;
        for (int i = 0; i < count; i++) {
            final String at = "sessions[" + i + "].";
            final long clientId = r.readLong(at + "clientId");
            if (clientId == SessionCommand.NO_CLIENT || !seen.add(clientId)) {
                throw r.bad(at + "clientId", clientId, "a non-zero id not seen before");
            }
            final long ackedBelow = r.readLong(at + "ackedBelow");
            if (ackedBelow < 1) {
                throw r.bad(at + "ackedBelow", ackedBelow, ">= 1");
            }
            final long lastActive = r.readLong(at + "lastActive");
            if (lastActive < previousActive || lastActive > clock) {
                throw r.bad(at + "lastActive", lastActive, "[" + previousActive + ", " + clock + "] (oldest first, not after the clock)");
            }
            previousActive = lastActive;
            final int responses = r.readInt(at + "responseCount");
            if (responses < 0 || responses > limits.maxResponsesPerSession()) {
                throw r.bad(at + "responseCount", responses, "[0, " + limits.maxResponsesPerSession() + "]");
            }
            final Map<Long, byte[]> kept = new TreeMap<>();
            long previousSequence = ackedBelow - 1;
            for (int j = 0; j < responses; j++) {
                final String field = at + "responses[" + j + "].";
                final long sequence = r.readLong(field + "sequence");
                if (sequence <= previousSequence) {
                    throw r.bad(field + "sequence", sequence, "> " + previousSequence + " (at or above ackedBelow, increasing)");
                }
                previousSequence = sequence;
                final byte kind = r.readByte(field + "kind");
                final byte[] value;
                if (kind == KIND_NONE) {
                    value = SessionTable.NO_RESPONSE;
                } else if (kind == KIND_NOT_KEPT) {
                    value = SessionTable.NOT_KEPT;
                } else if (kind == KIND_RESPONSE) {
                    final int length = r.readInt(field + "length");
                    if (length < 0 || length > limits.maxResponseBytes() || total + length > maxTotal) {
                        throw r.bad(field + "length", length, "[0, " + limits.maxResponseBytes() + "] with at most "
                            + maxTotal + " response bytes in all (" + total + " so far)");
                    }
                    total += length;
                    value = r.readBytes(field + "bytes", length);
                } else {
                    throw r.bad(field + "kind", kind, "0, 1 or 2");
                }
                kept.put(sequence, value);
            }
            sessions.add(new SessionTable.Captured(clientId, ackedBelow, lastActive, kept));
        }
        return new Table(clock, sessions);
    }

    /** Reads big-endian fields, counting bytes, so that every error names the field and its offset. */
    private static final class Reader {
        private final DataInputStream in;
        private final String snapshotId;
        private long position;

        Reader(InputStream in, String snapshotId) {
            this.in = new DataInputStream(in);
            this.snapshotId = snapshotId;
        }

        int readInt(String field) throws IOException {
            try {
                final int v = in.readInt();
                position += 4;
                return v;
            } catch (EOFException e) {
                throw truncated(field);
            }
        }

        long readLong(String field) throws IOException {
            try {
                final long v = in.readLong();
                position += 8;
                return v;
            } catch (EOFException e) {
                throw truncated(field);
            }
        }

        byte readByte(String field) throws IOException {
            try {
                final byte v = in.readByte();
                position += 1;
                return v;
            } catch (EOFException e) {
                throw truncated(field);
            }
        }

        byte[] readBytes(String field, int length) throws IOException {
            final byte[] bytes = new byte[length];
            try {
                in.readFully(bytes);
            } catch (EOFException e) {
                throw truncated(field);
            }
            position += length;
            return bytes;
        }

        private IOException truncated(String field) {
            return new IOException("session snapshot " + snapshotId + ": truncated in field '" + field + "' at byte " + position);
        }

        /** A field just read ({@code position} is past it) is out of bounds. */
        IOException bad(String field, Object value, String expected) {
            return new IOException("session snapshot " + snapshotId + ": field '" + field + "' = " + value
                + " is invalid (expected " + expected + ") near byte " + position);
        }
    }
}
