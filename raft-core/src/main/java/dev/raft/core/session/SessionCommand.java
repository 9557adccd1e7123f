package dev.raft.core.session;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The envelope of every command a {@link SessionStateMachine} applies: a fixed header, then the application's
 * command. Little-endian:
 *
 * <pre>
 * offset  size  field
 *      0     4  magic {@value #MAGIC_HEX} ("RSE" and format version 1)
 *      4     8  clientId     the client's id; 0 = no session (applied as is, never deduplicated)
 *     12     8  sequence     the call's number, &gt;= 1, unique per client id (0 when clientId is 0)
 *     20     8  ackedBelow   the client has the answer of every sequence below it: 1 &lt;= ackedBelow &lt;= sequence
 *                            (0 when clientId is 0)
 *     28     8  stampMillis  wall-clock milliseconds, written by the node that proposes the entry (the leader)
 *     36     n  command      the application's command
 * </pre>
 *
 * <p>The client sets the first four fields; the proposing node sets {@code stampMillis} just before it proposes
 * ({@link #encode} does both, into the buffer handed to {@code RaftNode.propose}).
 */
public final class SessionCommand {
    /** The magic and format version that start every envelope. */
    public static final int MAGIC = 0x52534531;
    static final String MAGIC_HEX = "0x52534531";
    /** The envelope's length before the application's command. */
    public static final int HEADER_LENGTH = 36;
    /** The client id meaning "no session". */
    public static final long NO_CLIENT = 0;
    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    static final int CLIENT_ID_OFFSET = 4;
    static final int SEQUENCE_OFFSET = 12;
    static final int ACKED_BELOW_OFFSET = 20;
    static final int STAMP_OFFSET = 28;

    private SessionCommand() {
    }

    /**
     * Writes an envelope and {@code command[commandOffset, commandOffset + commandLength)} into {@code dst} at
     * {@code offset} (the buffer must have room: {@link #HEADER_LENGTH} + {@code commandLength}).
     *
     * @return the envelope's total length
     * @throws IllegalArgumentException if the session fields are inconsistent (see the class comment)
     */
    public static int encode(MutableDirectBuffer dst, int offset, long clientId, long sequence, long ackedBelow,
                             long stampMillis, DirectBuffer command, int commandOffset, int commandLength) {
        check(clientId, sequence, ackedBelow);
        dst.putInt(offset, MAGIC, ORDER);
        dst.putLong(offset + CLIENT_ID_OFFSET, clientId, ORDER);
        dst.putLong(offset + SEQUENCE_OFFSET, sequence, ORDER);
        dst.putLong(offset + ACKED_BELOW_OFFSET, ackedBelow, ORDER);
        dst.putLong(offset + STAMP_OFFSET, stampMillis, ORDER);
        if (commandLength > 0) {
            dst.putBytes(offset + HEADER_LENGTH, command, commandOffset, commandLength);
        }
        return HEADER_LENGTH + commandLength;
    }

    /** An envelope as a new array (tests, tools, unsessioned proposals). */
    public static byte[] encode(long clientId, long sequence, long ackedBelow, long stampMillis, byte[] command) {
        final byte[] bytes = new byte[HEADER_LENGTH + command.length];
        encode(new UnsafeBuffer(bytes), 0, clientId, sequence, ackedBelow, stampMillis, new UnsafeBuffer(command), 0,
            command.length);
        return bytes;
    }

    /** An envelope without a session ({@link #NO_CLIENT}): applied as is, never deduplicated. */
    public static byte[] unsessioned(long stampMillis, byte[] command) {
        return encode(NO_CLIENT, 0, 0, stampMillis, command);
    }

    /**
     * Whether the session fields are consistent: clientId 0 with sequence and ackedBelow 0, or a client id with
     * {@code 1 <= ackedBelow <= sequence}.
     */
    public static boolean consistent(long clientId, long sequence, long ackedBelow) {
        return clientId == NO_CLIENT ? sequence == 0 && ackedBelow == 0 : ackedBelow >= 1 && ackedBelow <= sequence;
    }

    private static void check(long clientId, long sequence, long ackedBelow) {
        if (!consistent(clientId, sequence, ackedBelow)) {
            throw new IllegalArgumentException("session fields clientId " + clientId + " sequence " + sequence
                + " ackedBelow " + ackedBelow + " are inconsistent: need clientId 0 with 0 and 0, or 1 <= ackedBelow <= sequence");
        }
    }
}
