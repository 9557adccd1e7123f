package dev.raft.core.internal.engine;

import dev.raft.api.EntryType;
import dev.raft.api.Role;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.Vote;
import dev.raft.api.config.RaftConfig;
import dev.raft.api.message.AppendEntriesRequest;
import dev.raft.api.message.AppendEntriesResponse;
import dev.raft.api.message.InstallSnapshotRequest;
import dev.raft.api.message.InstallSnapshotResponse;
import dev.raft.api.message.RaftMessage;
import dev.raft.api.message.ReadIndexRequest;
import dev.raft.api.message.ReadIndexResponse;
import dev.raft.api.message.VoteRequest;
import dev.raft.api.message.VoteResponse;
import dev.raft.core.internal.engine.election.Election;
import dev.raft.core.internal.engine.read.Reads;
import dev.raft.core.internal.engine.replication.EntrySource;
import dev.raft.core.internal.engine.replication.FollowerReplication;
import dev.raft.core.internal.engine.replication.LeaderReplication;
import dev.raft.core.internal.engine.snapshot.SnapshotReceiver;
import dev.raft.core.internal.engine.snapshot.SnapshotSender;
import java.util.random.RandomGenerator;
import org.agrona.DirectBuffer;

/**
 * The Raft protocol of one node as a pure, deterministic state machine (after etcd-io/raft's RawNode and
 * openraft's Engine): this class only dispatches events to the handler that owns each rule and holds no
 * rule itself. It never reads a clock (time comes with {@link #tick} and {@link #advanceTime}), never blocks,
 * never touches IO, and allocates nothing on the steady-state path. One thread at a time.
 *
 * <p>Where each rule lives: {@code election/} (timeouts, PreVote, votes, CheckQuorum and the lease),
 * {@code replication/} (leader side with per-follower {@code Progress}, follower side with persist before
 * respond, the commit rule), {@code snapshot/} (the receive state machine and the sender), {@code quorum/}
 * (pure quorum math); the state they share is {@link RaftState}.
 *
 * <p><b>Commands, not callbacks.</b> Every event (each public method but {@link #propose}, {@link #log},
 * {@link #loadSnapshot} and the views) first clears {@link #commands()}, then appends the commands it
 * decides. The caller executes them after the event returns, in buffer order, before the next event; what a
 * command refers to is valid until then. The order the engine emits is the order that is safe to execute:
 * <ol>
 *   <li>{@code PERSIST_VOTE} precedes every message that depends on the vote (a vote granted, a candidate's
 *       requests, any answer in a newer term), so executing in order persists before responding;</li>
 *   <li>{@code APPEND} precedes the AppendEntries that carry the same entries; a follower acknowledges
 *       entries only in a later event, after {@link #onLogFlushed} reported them durable, and a leader counts
 *       its own log for commit only up to its flushed index;</li>
 *   <li>{@code TRUNCATE} precedes the {@code APPEND} that replaces the entries;</li>
 *   <li>{@code APPLY} is emitted after the commit index advanced; the caller applies, then reports
 *       {@link #onApplied} (client futures are the caller's business and are completed after it);</li>
 *   <li>{@code WRITE_SNAPSHOT_CHUNK} and {@code INSTALL_SNAPSHOT} end their event: the caller reports their
 *       result with {@link #onSnapshotChunkWritten} / {@link #onSnapshotInstalled} before anything else, and
 *       the answer to the leader comes with that report.</li>
 * </ol>
 *
 * <p>Extension point: TimeoutNow messages are counted and dropped.
 */
public final class RaftEngine {
    private final RaftState state;
    private final Commands out = new Commands();
    private final Election election;
    private final LeaderReplication leader;
    private final FollowerReplication follower;
    private final SnapshotReceiver receiver;
    private final SnapshotSender sender;
    private final Reads reads;
    private boolean started;

    /**
     * @param config  the node's configuration (id, initial membership, timeouts, replication bounds)
     * @param random  the source of election-timeout jitter (seeded for deterministic runs)
     * @param entries where the leader reads the entries it appended in earlier events
     */
    public RaftEngine(RaftConfig config, RandomGenerator random, EntrySource entries) {
        this.state = new RaftState(config, random, out);
        this.election = new Election(state);
        this.leader = new LeaderReplication(state, entries);
        this.follower = new FollowerReplication(state);
        this.receiver = new SnapshotReceiver(state);
        this.sender = new SnapshotSender(state);
        this.reads = new Reads(state, config.clockDriftBoundMillis());
        reads.wire(leader);
        election.wire(leader, follower, receiver);
        leader.wire(election, sender);
        follower.wire(election);
        receiver.wire(election, follower);
        sender.wire(election, leader);
    }

    /** The log view to fill before {@link #start}: reset it to the store's purge point, append the stored terms. */
    public LogTerms log() {
        return state.log;
    }

    /** Records the node's current snapshot, before {@link #start}: what a leader sends to followers that need it. */
    public void loadSnapshot(SnapshotMeta meta, long size) {
        state.snapshot = meta;
        state.snapshotSize = size;
    }

    /**
     * Starts from durable state. Everything in {@link #log()} counts as durable.
     *
     * @param appliedIndex the index the state machine holds (e.g. from a snapshot): known committed
     */
    public void start(long nowNanos, Vote vote, long appliedIndex) {
        if (started) {
            throw new IllegalStateException("RaftEngine.start: node " + state.selfId + " already started");
        }
        begin();
        started = true;
        state.now = nowNanos;
        state.term = vote.term();
        state.votedFor = vote.votedFor();
        state.durableIndex = state.log.lastIndex();
        state.commitIndex = Math.min(appliedIndex, state.log.lastIndex());
        state.appliedIndex = appliedIndex;
        state.role = state.followerRole();
        state.resetElectionTimer();
    }

    /**
     * Sets the time that the events before the next {@link #tick} run at, without firing any deadline. A
     * runtime calls it before delivering the messages it polled and ticks after them, so that after a stall
     * the messages that waited (heartbeats, acknowledgements) count before timeouts are judged. Emits nothing.
     */
    public void advanceTime(long nowNanos) {
        if (nowNanos - state.now > 0) {
            state.now = nowNanos;
        }
    }

    /** Time passes: fires the election, heartbeat, CheckQuorum and snapshot deadlines due at {@code nowNanos}. */
    public void tick(long nowNanos) {
        begin();
        leader.flushPending();
        advanceTime(nowNanos);
        reads.tick();
        if (state.role == Role.LEADER) {
            leader.tick();
            if (election.tickCheckQuorum()) {
                return;
            }
            sender.tick(leader.tracker());
        } else {
            receiver.tick();
        }
        if (state.role != Role.LEADER && state.now - state.electionDeadline >= 0) {
            election.onElectionTimeout();
        }
    }

    /**
     * A message arrived; it must stay valid until this event's commands are executed. Messages not addressed
     * to this node, from non-members, claiming a term or index at or above {@code RaftLimits}' ceilings, or of
     * a kind this engine does not handle are counted and dropped.
     */
    public void onMessage(RaftMessage message) {
        begin();
        leader.flushPending();
        if (message.to() != state.selfId || state.slotOf(message.from()) < 0) {
            state.count(EngineCounter.UNKNOWN_SENDER_DROPPED);
            return;
        }
        if (!MessageBounds.withinLimits(message)) {
            state.count(EngineCounter.MALFORMED_DROPPED); // a term or index at or above RaftLimits' ceilings
            return;
        }
        switch (message.type()) {
            case APPEND_ENTRIES_REQUEST -> follower.onAppendEntries((AppendEntriesRequest) message);
            case APPEND_ENTRIES_RESPONSE -> {
                leader.onAppendResponse((AppendEntriesResponse) message);
                reads.onAppendResponse((AppendEntriesResponse) message);
            }
            case VOTE_REQUEST -> election.onVoteRequest((VoteRequest) message);
            case VOTE_RESPONSE -> election.onVoteResponse((VoteResponse) message);
            case INSTALL_SNAPSHOT_REQUEST -> receiver.onInstallSnapshot((InstallSnapshotRequest) message);
            case INSTALL_SNAPSHOT_RESPONSE ->
                sender.onInstallSnapshotResponse((InstallSnapshotResponse) message, leader.tracker());
            case READ_INDEX_REQUEST -> reads.onReadIndexRequest((ReadIndexRequest) message);
            case READ_INDEX_RESPONSE -> reads.onReadIndexResponse((ReadIndexResponse) message);
            default -> state.count(EngineCounter.UNSUPPORTED_DROPPED);
        }
    }

    /**
     * Collects a client command (leader only); emits nothing. The entry goes to the log with the next event
     * (or {@link #flushPending}), so several proposals form one append and one AppendEntries per follower.
     *
     * @return the entry's index, or -1 if this node is not the leader
     */
    public long propose(DirectBuffer command, int offset, int length) {
        if (state.role != Role.LEADER) {
            return -1;
        }
        return leader.appendLocal(EntryType.NORMAL, command, offset, length);
    }

    /**
     * Submits read {@code readId} (ids increase by submission) without the log; emits nothing (the next
     * event, at the latest the next {@link #tick}, starts its round or asks the leader). See {@link Reads}.
     *
     * @param lease whether the leader's lease may serve it without a round
     * @return the index it may be served at once (&gt; 0), or {@link Reads#QUEUED}, {@link Reads#NOT_LEADER},
     *         {@link Reads#NOT_READY}
     */
    public long read(long readId, boolean lease) {
        return reads.submit(readId, lease);
    }

    /** Hands the proposals collected since the last event to the log and replicates them. */
    public void flushPending() {
        begin();
        leader.flushPending();
    }

    /** Every log entry up to {@code flushedIndex} is durable. */
    public void onLogFlushed(long flushedIndex) {
        begin();
        leader.flushPending();
        final long flushed = Math.min(flushedIndex, state.log.lastIndex());
        if (flushed <= state.durableIndex) {
            return;
        }
        state.durableIndex = flushed;
        if (state.role == Role.LEADER) {
            leader.maybeCommit();
        } else {
            follower.onDurable();
        }
    }

    /** The state machine applied every entry up to {@code index} (the report of an {@code APPLY}). */
    public void onApplied(long index) {
        begin();
        state.appliedIndex = Math.max(state.appliedIndex, index);
    }

    /** The report of a {@code WRITE_SNAPSHOT_CHUNK}: the stream's contiguous bytes from 0, or -1 if it failed. */
    public void onSnapshotChunkWritten(long contiguous) {
        begin();
        receiver.onChunkWritten(contiguous);
    }

    /** The report of an {@code INSTALL_SNAPSHOT}: whether the snapshot was made durable and installed. */
    public void onSnapshotInstalled(boolean ok) {
        begin();
        receiver.onInstalled(ok);
    }

    /**
     * Asks to start building a snapshot locally; refused while one is built or received.
     *
     * @return whether the build may start; if so, {@link #snapshotBuildEnded()} must follow
     */
    public boolean beginSnapshotBuild() {
        begin();
        return receiver.beginBuild();
    }

    /** The local build begun by {@link #beginSnapshotBuild} ended (finished, failed or aborted). */
    public void snapshotBuildEnded() {
        begin();
        receiver.buildEnded();
    }

    /** A locally built snapshot {@code meta} of {@code size} bytes is durable: it may become current and purge the log. */
    public void snapshotBuilt(SnapshotMeta meta, long size) {
        begin();
        receiver.built(meta, size);
    }

    private void begin() {
        out.clear();
        leader.beginEvent();
    }

    // ------------------------------------------------------------------ views (runtime and tests)

    /** The commands of the last event. */
    public Commands commands() {
        return out;
    }

    /** The shared Raft state (read it; only the handlers change it). */
    public RaftState state() {
        return state;
    }

    /** The engine's counters. */
    public EngineCounters counters() {
        return state.counters;
    }

    /** Reads without the log. */
    public Reads reads() {
        return reads;
    }

    /** The leader side: per-follower progress. */
    public LeaderReplication replication() {
        return leader;
    }

    /** The snapshot receive state machine. */
    public SnapshotReceiver snapshots() {
        return receiver;
    }

    /** Whether the snapshot {@code snapshotId} is current or being sent to a follower. */
    public boolean snapshotInUse(String snapshotId) {
        return (state.snapshot != null && state.snapshot.snapshotId().equals(snapshotId))
            || leader.tracker().sendsSnapshot(snapshotId);
    }

    @Override
    public String toString() {
        return "RaftEngine{" + state + " snapshot=" + receiver.describe() + "}";
    }
}
