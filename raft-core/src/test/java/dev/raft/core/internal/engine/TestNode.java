package dev.raft.core.internal.engine;

import dev.raft.api.Entry;
import dev.raft.api.EntryBatch;
import dev.raft.api.Membership;
import dev.raft.api.Vote;
import dev.raft.api.config.RaftConfig;
import dev.raft.api.LogId;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.message.InstallSnapshotRequest;
import dev.raft.api.message.MessageType;
import dev.raft.api.message.RaftMessage;
import dev.raft.core.internal.engine.replication.EntrySource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.agrona.DirectBuffer;

/**
 * One engine under test whose commands are executed after each event and recorded in order; the log it
 * appends is kept in a list (so AppendEntries can be filled), and time is manual.
 */
final class TestNode implements EntrySource {
    /** A recorded command. */
    record Cmd(String kind, long a, long b, RaftMessage message) {
        @Override
        public String toString() {
            return message != null ? kind + " " + message : kind + "(" + a + "," + b + ")";
        }
    }

    final RaftConfig config;
    final EngineUnderTest engine;
    final List<Entry> log = new ArrayList<>();
    final List<Cmd> commands = new ArrayList<>();
    /** Every command executed and report given, one line each (for transcripts). */
    final List<String> trace = new ArrayList<>();
    final List<RaftMessage> outbox = new ArrayList<>();
    /** Every membership the engine reported in force (MEMBERSHIP_CHANGED), in order. */
    final List<Membership> memberships = new ArrayList<>();
    /** Every transfer outcome reported (TRANSFER_DONE): "ok &lt;target&gt;" or the failure. */
    final List<String> transfers = new ArrayList<>();
    Vote savedVote = Vote.INITIAL;
    long committed;
    /** The highest index reported flushed: what survives a crash. */
    long flushed;
    long nowNanos = 1_000_000_000L;
    int maxBytesPerAppend = Integer.MAX_VALUE;

    TestNode(RaftConfig config, long seed) {
        this.config = config;
        this.engine = new EngineUnderTest(new RaftEngine(config, new SplittableRandom(seed), this), this::execute);
    }

    static RaftConfig.Builder config(int id, int... members) {
        return RaftConfig.builder().nodeId(id).initialMembership(Membership.of(members))
            .electionTimeoutMillis(150, 300).heartbeatIntervalMillis(50);
    }

    /** Starts with a stored vote and log (terms of indexes 1..n), everything durable. */
    TestNode start(Vote vote, long... terms) {
        final List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < terms.length; i++) {
            entries.add(Entry.normal(terms[i], i + 1, new byte[] {(byte) i}));
        }
        return start(vote, entries);
    }

    /** Starts with a stored vote and log, everything durable. */
    TestNode start(Vote vote, List<Entry> entries) {
        engine.log().reset(0, 0);
        for (Entry e : entries) {
            log.add(e);
            engine.log().append(e.term(), e.index());
        }
        flushed = log.size();
        savedVote = vote;
        engine.start(nowNanos, vote, 0);
        commands.clear();
        return this;
    }

    /** A new node started from what this one made durable (as after a crash), at the same time. */
    TestNode restart(long seed) {
        final TestNode fresh = new TestNode(config, seed);
        fresh.nowNanos = nowNanos;
        return fresh.start(savedVote, new ArrayList<>(log.subList(0, (int) flushed)));
    }

    /** Reports entries up to {@code index} durable. */
    void flushTo(long index) {
        flushed = Math.max(flushed, Math.min(index, log.size()));
        engine.onLogFlushed(flushed);
    }

    void advanceMillis(long millis) {
        nowNanos += TimeUnit.MILLISECONDS.toNanos(millis);
        engine.tick(nowNanos);
    }

    /** Advances time in heartbeat-sized steps until {@code millis} have passed. */
    void runMillis(long millis) {
        for (long t = 0; t < millis; t += 10) {
            advanceMillis(10);
        }
    }

    void flushAll() {
        flushTo(log.size());
    }

    void receive(RaftMessage m) {
        engine.onMessage(m);
    }

    /** Removes and returns the sent messages of a type (all if null). */
    @SuppressWarnings("unchecked")
    <T extends RaftMessage> List<T> takeSent(MessageType type) {
        final List<T> taken = new ArrayList<>();
        outbox.removeIf(m -> {
            if (type == null || m.type() == type) {
                taken.add((T) m);
                return true;
            }
            return false;
        });
        return taken;
    }

    List<Cmd> commands(String kind) {
        return commands.stream().filter(c -> c.kind.equals(kind)).toList();
    }

    int indexOfCommand(Predicate<Cmd> p) {
        for (int i = 0; i < commands.size(); i++) {
            if (p.test(commands.get(i))) {
                return i;
            }
        }
        return -1;
    }

    long[] logTerms() {
        return log.stream().mapToLong(Entry::term).toArray();
    }

    /** Executes the last event's commands in order, reporting what the engine asks to hear back. */
    void execute() {
        final Commands c = engine.raw.commands();
        while (!c.isEmpty()) {
            final long committedBefore = committed;
            Commands.Type report = null;
            long result = 0;
            for (int i = 0; i < c.size(); i++) {
                trace.add(c.describe(i));
                switch (c.type(i)) {
                    case PERSIST_VOTE -> persistVote(c.term(i), c.votedFor(i));
                    case APPEND -> appendToLog(c.entries(i), c.from(i), c.to(i));
                    case TRUNCATE -> truncateLog(c.index(i));
                    case PURGE -> purgeLog(c.logId(i));
                    case SEND -> send(c.message(i));
                    case SEND_SNAPSHOT_CHUNK -> sendSnapshotChunk((InstallSnapshotRequest) c.message(i), c.length(i));
                    case APPLY -> committed(c.index(i));
                    case LEADERSHIP_LOST -> leadershipLost(c.term(i));
                    case READ_READY -> commands.add(new Cmd("readReady", c.readId(i), c.index(i), null));
                    case READ_FAILED -> commands.add(new Cmd("readFailed", c.readId(i), c.readFailure(i).ordinal(), null));
                    case ABORT_SNAPSHOT_BUILD -> abortSnapshotBuild();
                    case BEGIN_SNAPSHOT -> beginSnapshot(c.meta(i));
                    case WRITE_SNAPSHOT_CHUNK -> {
                        result = writeSnapshotChunk(c.index(i), c.data(i), c.length(i));
                        report = Commands.Type.WRITE_SNAPSHOT_CHUNK;
                    }
                    case ABORT_SNAPSHOT -> abortSnapshot();
                    case MEMBERSHIP_CHANGED -> memberships.add(c.membership(i));
                    case MEMBERSHIP_CHANGE_DONE -> commands.add(new Cmd("changeDone", c.index(i), 0, null));
                    case TRANSFER_DONE -> transfers.add(c.failure(i) == null ? "ok " + c.target(i) : c.failure(i));
                    case INSTALL_SNAPSHOT -> {
                        result = installSnapshot(c.meta(i)) ? 1 : 0;
                        report = Commands.Type.INSTALL_SNAPSHOT;
                    }
                    default -> throw new AssertionError("unknown command " + c.describe(i));
                }
            }
            if (committed != committedBefore) {
                engine.raw.onApplied(committed);
            }
            if (report == Commands.Type.WRITE_SNAPSHOT_CHUNK) {
                trace.add("  => written: contiguous=" + result);
                engine.raw.onSnapshotChunkWritten(result);
            } else if (report == Commands.Type.INSTALL_SNAPSHOT) {
                trace.add("  => installed: " + (result == 1));
                engine.raw.onSnapshotInstalled(result == 1);
            } else {
                return;
            }
        }
    }

    void persistVote(long term, int votedFor) {
        final Vote v = new Vote(term, votedFor);
        if (term < savedVote.term() || (term == savedVote.term() && savedVote.hasVoted() && votedFor != savedVote.votedFor())) {
            throw new AssertionError("node " + config.nodeId() + " persisted vote " + v + " after " + savedVote);
        }
        savedVote = v;
        commands.add(new Cmd("persistVote", term, votedFor, null));
    }

    void appendToLog(EntryBatch entries, int fromPosition, int toPosition) {
        for (int i = fromPosition; i < toPosition; i++) {
            final Entry e = entries.entry(i).toEntry();
            if (e.index() != log.size() + 1) {
                throw new AssertionError("node " + config.nodeId() + " appended index " + e.index() + " after " + log.size());
            }
            log.add(e);
        }
        commands.add(new Cmd("append", entries.index(fromPosition), entries.index(toPosition - 1), null));
    }

    void truncateLog(long fromIndex) {
        while (log.size() >= fromIndex) {
            log.remove(log.size() - 1);
        }
        flushed = Math.min(flushed, fromIndex - 1);
        commands.add(new Cmd("truncate", fromIndex, 0, null));
    }

    void send(RaftMessage message) {
        final RaftMessage copy = message.copy();
        outbox.add(copy);
        commands.add(new Cmd("send", 0, 0, copy));
    }

    @Override
    public int read(EntryBatch dst, long fromIndex, long toIndex, int maxBytes) {
        int bytes = dst.payloadBytes();
        int added = 0;
        for (long i = fromIndex; i <= toIndex; i++) {
            final Entry e = log.get((int) i - 1);
            if ((added > 0 || !dst.isEmpty()) && bytes + e.data().length > Math.min(maxBytes, maxBytesPerAppend)) {
                break;
            }
            dst.add(e);
            bytes += e.data().length;
            added++;
        }
        return added;
    }

    void committed(long commitIndex) {
        if (commitIndex <= committed) {
            throw new AssertionError("commit index went from " + committed + " to " + commitIndex);
        }
        committed = commitIndex;
        commands.add(new Cmd("committed", commitIndex, 0, null));
    }

    void leadershipLost(long term) {
        commands.add(new Cmd("leadershipLost", term, 0, null));
    }

    // ------------------------------------------------------------------ snapshots

    /** The snapshot being received: its bytes and which positions were written. */
    SnapshotMeta receivingMeta;
    byte[] receivingBytes = new byte[0];
    final BitSet receivingWritten = new BitSet();
    /** Writes (or installs) that fail before succeeding again. */
    int failWrites;
    boolean failInstall;
    /** Snapshots installed, with their bytes. */
    final List<SnapshotMeta> installed = new ArrayList<>();
    final List<byte[]> installedBytes = new ArrayList<>();
    /** Snapshots this node can send, by id. */
    final Map<String, byte[]> snapshotData = new HashMap<>();
    long buildAborts;
    /** The entries of the last installed snapshot whose data encodes them ({@link #buildSnapshot}), else empty. */
    List<Entry> installedEntries = List.of();

    /**
     * Builds a snapshot of the committed prefix whose data encodes those entries, as a runtime would
     * (begin, durable, ended).
     *
     * @return whether a build could begin and there was something to capture
     */
    boolean buildSnapshot(String id) {
        if (committed == 0 || !engine.beginSnapshotBuild()) {
            return false;
        }
        final Entry last = log.get((int) committed - 1);
        final SnapshotMeta meta = new SnapshotMeta(id, last.logId(), config.initialMembership());
        final byte[] data = encode(log.subList(0, (int) committed));
        snapshotData.put(id, data);
        engine.snapshotBuilt(meta, data.length);
        engine.snapshotBuildEnded();
        return true;
    }

    private static byte[] encode(List<Entry> entries) {
        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        final java.io.DataOutputStream out = new java.io.DataOutputStream(bytes);
        try {
            for (Entry e : entries) {
                out.writeLong(e.term());
                out.writeLong(e.index());
                out.writeByte(e.type().ordinal());
                out.writeInt(e.data().length);
                out.write(e.data());
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static List<Entry> decode(byte[] data) {
        final List<Entry> entries = new ArrayList<>();
        final java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(data);
        while (in.remaining() >= 21) {
            final long term = in.getLong();
            final long index = in.getLong();
            final dev.raft.api.EntryType type = dev.raft.api.EntryType.values()[in.get()];
            final byte[] payload = new byte[in.getInt()];
            in.get(payload);
            entries.add(new Entry(term, index, type, payload));
        }
        return entries;
    }

    void purgeLog(LogId upTo) {
        // entries stay in the list (the engine no longer asks for them); beyond the end they come from the
        // installed snapshot when it encodes them, else placeholders keep the indexes
        while (log.size() < upTo.index()) {
            final int i = log.size();
            log.add(i < installedEntries.size() ? installedEntries.get(i) : Entry.normal(upTo.term(), i + 1, new byte[0]));
        }
        flushed = Math.max(flushed, upTo.index());
        commands.add(new Cmd("purge", upTo.index(), upTo.term(), null));
    }

    void abortSnapshotBuild() {
        buildAborts++;
        commands.add(new Cmd("abortBuild", 0, 0, null));
    }

    void beginSnapshot(SnapshotMeta meta) {
        receivingMeta = meta;
        receivingBytes = new byte[0];
        receivingWritten.clear();
        commands.add(new Cmd("beginSnapshot", 0, 0, null));
    }

    long writeSnapshotChunk(long position, DirectBuffer data, int length) {
        if (failWrites > 0) {
            failWrites--;
            commands.add(new Cmd("writeFailed", position, length, null));
            return -1;
        }
        final int end = (int) position + length;
        if (receivingBytes.length < end) {
            receivingBytes = Arrays.copyOf(receivingBytes, end);
        }
        data.getBytes(0, receivingBytes, (int) position, length);
        receivingWritten.set((int) position, end);
        commands.add(new Cmd("write", position, length, null));
        return receivingWritten.nextClearBit(0);
    }

    void abortSnapshot() {
        receivingMeta = null;
        commands.add(new Cmd("abortSnapshot", 0, 0, null));
    }

    boolean installSnapshot(SnapshotMeta meta) {
        if (failInstall) {
            failInstall = false;
            commands.add(new Cmd("installFailed", 0, 0, null));
            return false;
        }
        installed.add(meta);
        installedBytes.add(receivingBytes.clone());
        snapshotData.put(meta.snapshotId(), installedBytes.get(installedBytes.size() - 1));
        final List<Entry> entries = decode(receivingBytes);
        if (!entries.isEmpty() && entries.get(entries.size() - 1).logId().equals(meta.lastLogId())) {
            installedEntries = entries; // the state: every entry up to the snapshot's last, as the leader had them
            for (Entry e : entries) {
                if (e.index() <= log.size()) {
                    log.set((int) e.index() - 1, e);
                }
            }
            committed = Math.max(committed, meta.lastLogId().index());
            flushed = Math.max(flushed, Math.min(log.size(), meta.lastLogId().index())); // the snapshot is durable
        }
        receivingMeta = null;
        commands.add(new Cmd("install", meta.lastLogId().index(), meta.lastLogId().term(), null));
        return true;
    }

    void sendSnapshotChunk(InstallSnapshotRequest request, int length) {
        final byte[] bytes = snapshotData.get(request.snapshotId());
        request.dataBuffer().putBytes(0, bytes, (int) request.chunkOffset(), length);
        request.dataLength(length);
        send(request);
    }
}
