package dev.raft.core.internal.engine;

import dev.raft.api.EntryBatch;
import dev.raft.api.LogId;
import dev.raft.api.Membership;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.message.InstallSnapshotRequest;
import dev.raft.api.message.MessageType;
import dev.raft.api.message.RaftMessage;
import java.util.Arrays;
import org.agrona.DirectBuffer;

/**
 * The commands one engine event emitted, in emission order: a reusable, allocation-free buffer (parallel
 * arrays that grow to the largest event seen, and a pool of messages per type). The engine appends; the
 * runtime reads them with {@link #size()} and the accessors by position after the event returns, executes
 * them in order, and the next event clears the buffer. Everything a command refers to (a message, a batch
 * of entries, chunk bytes of an incoming message) stays valid until the next event.
 */
public final class Commands {
    /** What a command asks for; the accessors valid for each are listed with it. */
    public enum Type {
        /** Make {@code (term(), votedFor())} durable before executing the next command. */
        PERSIST_VOTE,
        /**
         * Append {@link #entries} positions {@code [from(), to())} after the log's last entry; not durable
         * when done: durability comes back through {@link RaftEngine#onLogFlushed}.
         */
        APPEND,
        /** Remove log index {@link #index} and every later one; durable when done. */
        TRUNCATE,
        /** Remove every log entry up to and including {@link #logId} (it may lie beyond the log's end). */
        PURGE,
        /** Send {@link #message} (complete as given; an AppendEntries carries its entries). */
        SEND,
        /**
         * Fill {@link #message} (an InstallSnapshot header) with {@link #length} bytes of the snapshot it
         * names from its chunk offset, and send it.
         */
        SEND_SNAPSHOT_CHUNK,
        /** Apply every committed entry up to {@link #index}, in order, then report {@link RaftEngine#onApplied}. */
        APPLY,
        /** This node lost the leadership of {@link #term}: every proposal not yet applied has an unknown outcome. */
        LEADERSHIP_LOST,
        /** Abort the local snapshot build in progress (a snapshot streamed by the leader replaces it). */
        ABORT_SNAPSHOT_BUILD,
        /** Open a sink for the snapshot {@link #meta} streamed by the leader. */
        BEGIN_SNAPSHOT,
        /**
         * Write {@link #length} bytes of {@link #data} (from 0) at {@link #index} of the receive stream, then
         * report {@link RaftEngine#onSnapshotChunkWritten}.
         */
        WRITE_SNAPSHOT_CHUNK,
        /** Drop the receive stream and its sink. */
        ABORT_SNAPSHOT,
        /**
         * Finish the receive stream durably and install it into the state machine, then report
         * {@link RaftEngine#onSnapshotInstalled}.
         */
        INSTALL_SNAPSHOT,
        /**
         * The nodes to talk to changed: {@link #membership} holds the members of the configuration in force
         * (held by log entry {@link #index}) and of every configuration since the last committed one (a removed
         * node stays until its removal is committed); tell the transport ({@code Transport.updateMembership}).
         */
        MEMBERSHIP_CHANGED,
        /** The membership change this leader was asked for is committed as {@link #membership} at {@link #index}. */
        MEMBERSHIP_CHANGE_DONE,
        /**
         * The leadership transfer to {@link #target} ended: succeeded if {@link #failure} is null, else failed
         * with that reason ({@link #retriable} says whether trying again may succeed).
         */
        TRANSFER_DONE
    }

    private static final MessageType[] MESSAGE_TYPES = MessageType.values();

    private Type[] types = new Type[64];
    private long[] longs = new long[64];
    private long[] longs2 = new long[64];
    private int[] ints = new int[64];
    private int[] ints2 = new int[64];
    private Object[] refs = new Object[64];
    private int size;
    private final RaftMessage[][] pools = new RaftMessage[MESSAGE_TYPES.length][];
    private final int[] used = new int[MESSAGE_TYPES.length];

    public Commands() {
        for (int i = 0; i < pools.length; i++) {
            pools[i] = new RaftMessage[0];
        }
    }

    /** Forgets every command (the next event begins). */
    public void clear() {
        Arrays.fill(refs, 0, size, null);
        size = 0;
        Arrays.fill(used, 0);
    }

    /** The number of commands. */
    public int size() {
        return size;
    }

    /** Whether there is no command. */
    public boolean isEmpty() {
        return size == 0;
    }

    /** The type of command {@code i}. */
    public Type type(int i) {
        return types[i];
    }

    // ------------------------------------------------------------------ accessors by position

    /** PERSIST_VOTE, LEADERSHIP_LOST: the term. */
    public long term(int i) {
        return longs[i];
    }

    /** PERSIST_VOTE: the node voted for. */
    public int votedFor(int i) {
        return ints[i];
    }

    /**
     * TRUNCATE: the first index removed; APPLY: the last index to apply; WRITE_SNAPSHOT_CHUNK: the position;
     * MEMBERSHIP_CHANGED, MEMBERSHIP_CHANGE_DONE: the index of the configuration entry.
     */
    public long index(int i) {
        return longs[i];
    }

    /** PURGE: the last log id removed. */
    public LogId logId(int i) {
        return LogId.of(longs2[i], longs[i]);
    }

    /** APPEND: the entries. */
    public EntryBatch entries(int i) {
        return (EntryBatch) refs[i];
    }

    /** APPEND: the first position. */
    public int from(int i) {
        return ints[i];
    }

    /** APPEND: the position after the last. */
    public int to(int i) {
        return ints2[i];
    }

    /** SEND, SEND_SNAPSHOT_CHUNK: the message. */
    public RaftMessage message(int i) {
        return (RaftMessage) refs[i];
    }

    /** SEND_SNAPSHOT_CHUNK, WRITE_SNAPSHOT_CHUNK: the number of bytes. */
    public int length(int i) {
        return ints[i];
    }

    /** WRITE_SNAPSHOT_CHUNK: the bytes. */
    public DirectBuffer data(int i) {
        return (DirectBuffer) refs[i];
    }

    /** MEMBERSHIP_CHANGED, MEMBERSHIP_CHANGE_DONE: the membership. */
    public Membership membership(int i) {
        return (Membership) refs[i];
    }

    /** TRANSFER_DONE: the target. */
    public int target(int i) {
        return ints[i];
    }

    /** TRANSFER_DONE: why it failed, or null if it succeeded. */
    public String failure(int i) {
        return (String) refs[i];
    }

    /** TRANSFER_DONE: whether trying again may succeed. */
    public boolean retriable(int i) {
        return ints2[i] != 0;
    }

    /** BEGIN_SNAPSHOT, INSTALL_SNAPSHOT: the snapshot. */
    public SnapshotMeta meta(int i) {
        return (SnapshotMeta) refs[i];
    }

    // ------------------------------------------------------------------ emitting (engine)

    /**
     * A pooled message of {@code type} to fill and then {@link #send}; valid until the next event.
     */
    @SuppressWarnings("unchecked")
    public <T extends RaftMessage> T message(MessageType type) {
        final int t = type.ordinal();
        RaftMessage[] pool = pools[t];
        if (used[t] == pool.length) {
            pool = Arrays.copyOf(pool, Math.max(4, pool.length * 2));
            for (int i = used[t]; i < pool.length; i++) {
                pool[i] = RaftMessage.newInstance(MESSAGE_TYPES[t]);
            }
            pools[t] = pool;
        }
        return (T) pool[used[t]++];
    }

    public void persistVote(long term, int votedFor) {
        final int i = add(Type.PERSIST_VOTE);
        longs[i] = term;
        ints[i] = votedFor;
    }

    public void append(EntryBatch entries, int from, int to) {
        final int i = add(Type.APPEND);
        refs[i] = entries;
        ints[i] = from;
        ints2[i] = to;
    }

    public void truncate(long fromIndex) {
        longs[add(Type.TRUNCATE)] = fromIndex;
    }

    public void purge(long index, long term) {
        final int i = add(Type.PURGE);
        longs[i] = index;
        longs2[i] = term;
    }

    /** Sends {@code message}, a message taken from {@link #message(MessageType)}. */
    public void send(RaftMessage message) {
        refs[add(Type.SEND)] = message;
    }

    /** Sends a chunk of {@code length} bytes described by {@code header}, from {@link #message(MessageType)}. */
    public void sendSnapshotChunk(InstallSnapshotRequest header, int length) {
        final int i = add(Type.SEND_SNAPSHOT_CHUNK);
        refs[i] = header;
        ints[i] = length;
    }

    public void apply(long upToIndex) {
        longs[add(Type.APPLY)] = upToIndex;
    }

    public void leadershipLost(long term) {
        longs[add(Type.LEADERSHIP_LOST)] = term;
    }

    public void membershipChanged(Membership membership, long index) {
        final int i = add(Type.MEMBERSHIP_CHANGED);
        refs[i] = membership;
        longs[i] = index;
    }

    public void membershipChangeDone(Membership membership, long index) {
        final int i = add(Type.MEMBERSHIP_CHANGE_DONE);
        refs[i] = membership;
        longs[i] = index;
    }

    public void transferDone(int target, String failure, boolean retriable) {
        final int i = add(Type.TRANSFER_DONE);
        ints[i] = target;
        refs[i] = failure;
        ints2[i] = retriable ? 1 : 0;
    }

    public void abortSnapshotBuild() {
        add(Type.ABORT_SNAPSHOT_BUILD);
    }

    public void beginSnapshot(SnapshotMeta meta) {
        refs[add(Type.BEGIN_SNAPSHOT)] = meta;
    }

    public void writeSnapshotChunk(long position, DirectBuffer data, int length) {
        final int i = add(Type.WRITE_SNAPSHOT_CHUNK);
        longs[i] = position;
        refs[i] = data;
        ints[i] = length;
    }

    public void abortSnapshot() {
        add(Type.ABORT_SNAPSHOT);
    }

    public void installSnapshot(SnapshotMeta meta) {
        refs[add(Type.INSTALL_SNAPSHOT)] = meta;
    }

    private int add(Type type) {
        if (size == types.length) {
            final int n = size * 2;
            types = Arrays.copyOf(types, n);
            longs = Arrays.copyOf(longs, n);
            longs2 = Arrays.copyOf(longs2, n);
            ints = Arrays.copyOf(ints, n);
            ints2 = Arrays.copyOf(ints2, n);
            refs = Arrays.copyOf(refs, n);
        }
        types[size] = type;
        return size++;
    }

    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < size; i++) {
            sb.append(describe(i)).append('\n');
        }
        return sb.toString();
    }

    /** Command {@code i} in one line (for transcripts and logs). */
    public String describe(int i) {
        return switch (types[i]) {
            case PERSIST_VOTE -> "persist-vote term=" + term(i) + " vote=" + votedFor(i);
            case APPEND -> "append " + entries(i).index(from(i)) + ".." + entries(i).index(to(i) - 1);
            case TRUNCATE -> "truncate from=" + index(i);
            case PURGE -> "purge upto=" + index(i) + " term=" + longs2[i];
            case SEND -> "send " + message(i);
            case SEND_SNAPSHOT_CHUNK -> "send-chunk " + message(i) + " length=" + length(i);
            case APPLY -> "apply upto=" + index(i);
            case LEADERSHIP_LOST -> "leadership-lost term=" + term(i);
            case ABORT_SNAPSHOT_BUILD -> "abort-build";
            case BEGIN_SNAPSHOT -> "begin-snapshot " + meta(i).snapshotId();
            case WRITE_SNAPSHOT_CHUNK -> "write-chunk at=" + index(i) + " length=" + length(i);
            case ABORT_SNAPSHOT -> "abort-snapshot";
            case INSTALL_SNAPSHOT -> "install-snapshot " + meta(i).snapshotId();
            case MEMBERSHIP_CHANGED -> "membership-changed index=" + index(i) + " " + membership(i);
            case MEMBERSHIP_CHANGE_DONE -> "membership-change-done index=" + index(i) + " " + membership(i);
            case TRANSFER_DONE -> "transfer-done target=" + target(i)
                + (failure(i) == null ? " ok" : " failed (" + failure(i) + ")" + (retriable(i) ? " retriable" : ""));
        };
    }
}
