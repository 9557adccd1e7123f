package dev.raft.core.session;

import dev.raft.api.EntryType;
import dev.raft.api.EntryView;
import dev.raft.api.LogId;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.statemachine.SnapshotWriter;
import dev.raft.api.statemachine.StateMachine;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLongArray;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Exactly-once client sessions around any {@link StateMachine} (the Raft dissertation, section 6.3): every
 * {@link EntryType#NORMAL} entry is a {@link SessionCommand} envelope, and every answer a {@link SessionResponse}.
 *
 * <h2>Rules, applied identically on every replica</h2>
 * <ol>
 * <li><b>Clock.</b> The node that proposes an entry stamps its wall clock into the envelope. The table's clock is
 *     the highest stamp of every envelope applied so far (it never goes back, whatever a new leader's clock says),
 *     and it advances only at envelopes, so it is a function of the log alone.</li>
 * <li><b>Expiry.</b> Each envelope first advances the clock, then expires every session whose last command is more
 *     than {@link SessionLimits#expiryMillis()} older than the clock. Every replica therefore expires the same
 *     sessions at the same log index. A session is active as of the clock at each of its commands, refused ones
 *     included.</li>
 * <li><b>No session</b> (client id 0): the command is applied as is ({@link SessionStatus#APPLIED}), never
 *     deduplicated: for reads and for clients that need no exactly-once guarantee.</li>
 * <li><b>Unknown client.</b> If the envelope's {@code ackedBelow} is 1 (the client has no answer yet) a session is
 *     opened, or the command is refused with {@link SessionStatus#TABLE_FULL} when the table is full. If it is above
 *     1, the client had a session that expired (or never existed here): refused with
 *     {@link SessionStatus#SESSION_EXPIRED}, because a retry of a command applied before the expiry cannot be told
 *     from a fresh one. Choose an expiry far longer than any client retries a call.</li>
 * <li><b>Known client.</b> The session's floor rises to the envelope's {@code ackedBelow} and the responses below it
 *     are forgotten. Then: a sequence below the floor is refused ({@link SessionStatus#STALE_SEQUENCE}); a sequence
 *     already applied is answered from the table ({@link SessionStatus#REPLAYED}: the first application's response,
 *     nothing applied again); otherwise, when the session keeps fewer than
 *     {@link SessionLimits#maxResponsesPerSession()} responses ({@link SessionStatus#SESSION_FULL}) and the table
 *     fewer than {@link SessionLimits#maxTotalResponseBytes()} ({@link SessionStatus#TABLE_FULL}), it is applied and
 *     its response kept.</li>
 * <li><b>Malformed</b> envelopes (too short, another magic, inconsistent fields) are refused with
 *     {@link SessionStatus#MALFORMED}.</li>
 * </ol>
 * A refused or replayed entry reaches the application as a {@link EntryType#BLANK} entry of the same index, so its
 * {@code lastApplied} advances as the {@link StateMachine} contract requires; an applied one reaches it with the
 * envelope removed. Sequences of one client may be applied in any order (a client may have several calls in flight).
 *
 * <h2>Snapshots</h2>
 * A snapshot is the session table ({@link SessionSnapshotFormat}: versioned, every field bounds-checked on restore)
 * followed by the application's snapshot; {@link #restore} reads the table, then hands the rest of the stream to the
 * application. A corrupt table fails the restore with one line naming the field and its byte offset.
 *
 * <h2>Threads</h2>
 * As for every state machine, the node calls {@link #apply}, {@link #takeSnapshot} and {@link #restore} from its
 * own thread, one at a time. The counters ({@link #count}, {@link #sessions}) may be read from any thread.
 */
public final class SessionStateMachine implements StateMachine {
    private final StateMachine application;
    private final SessionTable table;
    private final Rewrapped view = new Rewrapped();
    private final AtomicLongArray counts = new AtomicLongArray(SessionStatus.values().length);
    private volatile int sessions;

    /** Sessions with {@link SessionLimits#defaults()} around {@code application}. */
    public SessionStateMachine(StateMachine application) {
        this(application, SessionLimits.defaults());
    }

    /** Sessions with {@code limits} (the same on every replica) around {@code application}. */
    public SessionStateMachine(StateMachine application, SessionLimits limits) {
        this.application = Objects.requireNonNull(application, "application");
        this.table = new SessionTable(Objects.requireNonNull(limits, "limits"));
    }

    /** The decorated state machine. */
    public StateMachine application() {
        return application;
    }

    /** The limits. */
    public SessionLimits limits() {
        return table.limits();
    }

    /**
     * Applies one committed entry. Contract as {@link StateMachine#apply}: called in index order, exactly once per
     * entry since the last restore; nothing needs to be durable (the log is). A {@code NORMAL} entry is decided by
     * the rules of the class comment and answered with an encoded {@link SessionResponse}; other entries are passed
     * to the application and its answer is returned as is.
     */
    @Override
    public byte[] apply(EntryView entry) {
        if (entry.type() != EntryType.NORMAL) {
            return application.apply(entry);
        }
        final DirectBuffer payload = entry.payload();
        final int length = entry.payloadLength();
        if (length < SessionCommand.HEADER_LENGTH || payload.getInt(0, SessionCommand.ORDER) != SessionCommand.MAGIC) {
            return refuse(entry, SessionStatus.MALFORMED);
        }
        final long clientId = payload.getLong(SessionCommand.CLIENT_ID_OFFSET, SessionCommand.ORDER);
        final long sequence = payload.getLong(SessionCommand.SEQUENCE_OFFSET, SessionCommand.ORDER);
        final long ackedBelow = payload.getLong(SessionCommand.ACKED_BELOW_OFFSET, SessionCommand.ORDER);
        final long stamp = payload.getLong(SessionCommand.STAMP_OFFSET, SessionCommand.ORDER);
        if (!SessionCommand.consistent(clientId, sequence, ackedBelow)) {
            return refuse(entry, SessionStatus.MALFORMED);
        }
        table.advanceClock(stamp);
        try {
            if (clientId == SessionCommand.NO_CLIENT) {
                return answer(SessionStatus.APPLIED, applyCommand(entry));
            }
            SessionTable.Session session = table.find(clientId);
            if (session == null) {
                if (ackedBelow > 1) {
                    return refuse(entry, SessionStatus.SESSION_EXPIRED);
                }
                if (!table.roomForNewSession()) {
                    return refuse(entry, SessionStatus.TABLE_FULL);
                }
                session = table.open(clientId, ackedBelow);
            } else {
                table.touch(session, ackedBelow);
            }
            if (sequence < session.ackedBelow) {
                return refuse(entry, SessionStatus.STALE_SEQUENCE);
            }
            final byte[] kept = session.responses.get(sequence);
            if (kept != null) {
                skip(entry);
                if (kept == SessionTable.NOT_KEPT) {
                    return answer(SessionStatus.REPLAYED_WITHOUT_RESPONSE, null);
                }
                return answer(SessionStatus.REPLAYED, kept == SessionTable.NO_RESPONSE ? null : kept);
            }
            if (!table.roomForResponse(session)) {
                return refuse(entry, session.responses.size() >= table.limits().maxResponsesPerSession()
                    ? SessionStatus.SESSION_FULL : SessionStatus.TABLE_FULL);
            }
            final byte[] response = applyCommand(entry);
            table.keep(session, sequence, response);
            return answer(SessionStatus.APPLIED, response);
        } finally {
            sessions = table.size();
        }
    }

    private byte[] applyCommand(EntryView entry) {
        view.point(entry, EntryType.NORMAL, SessionCommand.HEADER_LENGTH);
        return application.apply(view);
    }

    /** Lets the application's last applied index advance past an entry it must not execute. */
    private void skip(EntryView entry) {
        view.point(entry, EntryType.BLANK, entry.payloadLength());
        application.apply(view);
    }

    private byte[] refuse(EntryView entry, SessionStatus status) {
        skip(entry);
        return answer(status, null);
    }

    private byte[] answer(SessionStatus status, byte[] response) {
        counts.incrementAndGet(status.ordinal());
        return SessionResponse.encode(status, response);
    }

    /** Queries go to the application as they are: a read changes nothing, so it needs no session. */
    @Override
    public byte[] query(DirectBuffer query, int offset, int length) {
        return application.query(query, offset, length);
    }

        /** The application's last applied id (the decorator adds none of its own). */
    @Override
    public LogId lastApplied() {
        return application.lastApplied();
    }

    /**
     * Captures the table (a copy of every session; responses are immutable and shared) and the application's state,
     * both as of {@link #lastApplied()}. The writer writes the table, then the application's snapshot, off the
     * node's thread; nothing is durable until the snapshot store has finished the snapshot.
     */
    @Override
    public SnapshotWriter takeSnapshot() {
        final long clock = table.clockMillis();
        final List<SessionTable.Captured> captured = table.capture();
        final SnapshotWriter state = application.takeSnapshot();
        return new SnapshotWriter() {
            @Override
            public LogId lastApplied() {
                return state.lastApplied();
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                final DataOutputStream data = new DataOutputStream(new BufferedOutputStream(out));
                SessionSnapshotFormat.write(data, clock, captured);
                data.flush();
                state.writeTo(out);
            }
        };
    }

    /**
     * Replaces the table and the application's state with the snapshot's. The table is read and checked first and
     * installed only when the application's restore succeeded.
     *
     * @throws IOException one line naming the snapshot, the field and its offset if the table is corrupt, or the
     *                     application's error; the node then stops
     */
    @Override
    public void restore(SnapshotMeta meta, InputStream data) throws IOException {
        final InputStream in = new BufferedInputStream(data);
        final SessionSnapshotFormat.Table restored = SessionSnapshotFormat.read(in, meta.snapshotId(), table.limits());
        application.restore(meta, in);
        table.replace(restored.clockMillis(), restored.sessions());
        sessions = table.size();
    }

    /** How many commands ended with {@code status} since start (counted on this replica, not replicated). */
    public long count(SessionStatus status) {
        return counts.get(status.ordinal());
    }

    /** The number of open sessions, as of the last apply or restore. */
    public int sessions() {
        return sessions;
    }

    /** The log's clock (see the class comment); node thread only. */
    long clockMillis() {
        return table.clockMillis();
    }

    /** Sessions expired so far; node thread only. */
    long expired() {
        return table.expired();
    }

    /** Whether {@code clientId} has a session; node thread only. */
    boolean hasSession(long clientId) {
        return table.find(clientId) != null;
    }

    /** An entry re-pointed at a part of another entry's payload, with a type of its own. */
    private static final class Rewrapped implements EntryView {
        private final UnsafeBuffer payload = new UnsafeBuffer(new byte[0]);
        private long term;
        private long index;
        private EntryType type;

        void point(EntryView entry, EntryType newType, int skip) {
            term = entry.term();
            index = entry.index();
            type = newType;
            final DirectBuffer source = entry.payload();
            payload.wrap(source, skip, entry.payloadLength() - skip);
        }

        @Override
        public long term() {
            return term;
        }

        @Override
        public long index() {
            return index;
        }

        @Override
        public EntryType type() {
            return type;
        }

        @Override
        public DirectBuffer payload() {
            return payload;
        }
    }
}
