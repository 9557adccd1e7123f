package dev.raft.core.internal.engine;

import dev.raft.api.EntryType;
import dev.raft.api.Membership;
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
import dev.raft.api.message.TimeoutNowRequest;
import dev.raft.api.message.VoteRequest;
import dev.raft.api.message.VoteResponse;
import dev.raft.api.error.MembershipChangeInProgressException;
import dev.raft.core.internal.engine.election.Election;
import dev.raft.core.internal.engine.election.LeadershipTransfer;
import dev.raft.core.internal.engine.membership.ConfigHistory;
import dev.raft.core.internal.engine.membership.MembershipChanges;
import dev.raft.core.internal.engine.read.Reads;
import dev.raft.core.internal.engine.replication.EntrySource;
import dev.raft.core.internal.engine.replication.FollowerReplication;
import dev.raft.core.internal.engine.replication.LeaderReplication;
import dev.raft.core.internal.engine.snapshot.SnapshotReceiver;
import dev.raft.core.internal.engine.snapshot.SnapshotSender;
import java.util.Map;
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
 * <p>Membership ({@code membership/}): configurations take effect when appended, on the leader and on followers
 * ({@link ConfigHistory}); the leader's change rules are {@link MembershipChanges}; leadership transfer is
 * {@link LeadershipTransfer} and its voter side lives in {@code election/}. Each change of the membership in
 * force emits {@code MEMBERSHIP_CHANGED}.
 */
public final class RaftEngine {
    private final RaftState state;
    private final Commands out = new Commands();
    private final Election election;
    private final LeaderReplication leader;
    private final FollowerReplication follower;
    private final SnapshotReceiver receiver;
    private final SnapshotSender sender;
    private final ConfigHistory configs;
    private final MembershipChanges changes;
    private final LeadershipTransfer transfer;
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
        this.configs = new ConfigHistory(state);
        this.changes = new MembershipChanges(state, configs, config.maxPromotionLag());
        this.transfer = new LeadershipTransfer(state);
        this.reads = new Reads(state, config.clockDriftBoundMillis());
        reads.wire(leader);
        election.wire(leader, follower, receiver, transfer);
        leader.wire(election, sender);
        follower.wire(election, configs);
        receiver.wire(election, follower, configs);
        sender.wire(election, leader);
        changes.wire(leader, election);
        transfer.wire(leader);
    }

    /** The log view to fill before {@link #start}: reset it to the store's purge point, append the stored terms. */
    public LogTerms log() {
        return state.log;
    }

    /** Records the node's current snapshot, before {@link #start}: what a leader sends to followers that need it. */
    public void loadSnapshot(SnapshotMeta meta, long size) {
        state.snapshot = meta;
        state.snapshotSize = size;
        configs.snapshotInstalled(meta);
    }

    /**
     * Records a configuration entry found in the log, before {@link #start}, in log order after the snapshot's
     * last entry: the latest one is the membership in force.
     */
    public void loadMembership(long index, Membership membership) {
        configs.appended(index, membership);
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
        transfer.tick();
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
     * to this node, from non-members (but a leader's AppendEntries and InstallSnapshot, which reach a node that
     * joins before it knows the configuration that adds it; votes from non-members are never counted), claiming
     * a term or index at or above {@code RaftLimits}' ceilings, or of a kind this engine does not handle are
     * counted and dropped.
     */
    public void onMessage(RaftMessage message) {
        begin();
        leader.flushPending();
        if (message.to() != state.selfId || (state.slotOf(message.from()) < 0 && !fromAnyLeader(message))) {
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
                transfer.onAppendResponse(message.from());
                reads.onAppendResponse((AppendEntriesResponse) message);
            }
            case VOTE_REQUEST -> election.onVoteRequest((VoteRequest) message);
            case VOTE_RESPONSE -> election.onVoteResponse((VoteResponse) message);
            case INSTALL_SNAPSHOT_REQUEST -> receiver.onInstallSnapshot((InstallSnapshotRequest) message);
            case INSTALL_SNAPSHOT_RESPONSE ->
                sender.onInstallSnapshotResponse((InstallSnapshotResponse) message, leader.tracker());
            case TIMEOUT_NOW_REQUEST -> election.onTimeoutNow((TimeoutNowRequest) message);
            case TIMEOUT_NOW_RESPONSE -> {
                // informational: the transfer ends when the target's leadership is known, or times out
            }
            case READ_INDEX_REQUEST -> reads.onReadIndexRequest((ReadIndexRequest) message);
            case READ_INDEX_RESPONSE -> reads.onReadIndexResponse((ReadIndexResponse) message);
            default -> state.count(EngineCounter.UNSUPPORTED_DROPPED);
        }
    }

    private static boolean fromAnyLeader(RaftMessage message) {
        return message.type() == dev.raft.api.message.MessageType.APPEND_ENTRIES_REQUEST
            || message.type() == dev.raft.api.message.MessageType.INSTALL_SNAPSHOT_REQUEST;
    }

    /**
     * Collects a client command (leader only); emits nothing. The entry goes to the log with the next event
     * (or {@link #flushPending}), so several proposals form one append and one AppendEntries per follower.
     *
     * @return the entry's index, or -1 if this node is not the leader or transfers its leadership
     */
    public long propose(DirectBuffer command, int offset, int length) {
        if (state.role != Role.LEADER || transfer.inProgress()) {
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

    // ------------------------------------------------------------------ admin events

    /**
     * Asks this leader for a configuration of {@code voters} and {@code learners} ({@link MembershipChanges#change}).
     *
     * @param expectedIndex the index of the configuration in force the caller expects, or -1 for any
     * @param endpoints     endpoints of new members; members that stay keep theirs
     * @return true if a configuration was appended (completion: {@code MEMBERSHIP_CHANGE_DONE}), false if
     *         the configuration in force is already the one asked for
     * @throws dev.raft.api.error.RaftException or {@link IllegalArgumentException} naming why it is refused
     */
    public boolean changeMembership(long expectedIndex, int[] voters, int[] learners, Map<Integer, String> endpoints) {
        begin();
        leader.flushPending();
        if (transfer.inProgress() && state.role == Role.LEADER) {
            throw new dev.raft.api.error.LeadershipTransferInProgressException(state.selfId, transfer.target(),
                state.term);
        }
        return changes.change(expectedIndex, voters, learners, endpoints);
    }

    /**
     * Asks this leader to add {@code id} at {@code endpoint} as a learner (the voters unchanged).
     *
     * @return as {@link #changeMembership}
     */
    public boolean addLearner(int id, String endpoint) {
        final Membership m = state.membership;
        if (m.isVoter(id)) {
            begin();
            throw new IllegalArgumentException("node " + state.selfId + ": node " + id + " is a voter of " + m
                + ", not a learner to add");
        }
        final int[] current = m.learners();
        final int[] learners = java.util.Arrays.copyOf(current, current.length + (m.isLearner(id) ? 0 : 1));
        learners[learners.length - 1] = m.isLearner(id) ? learners[learners.length - 1] : id;
        final int[] voters = m.isJoint() ? m.voters(1) : m.voters(0);
        return changeMembership(-1, voters, learners,
            Map.of(id, Membership.requireEndpoint(endpoint, "addLearner(" + id + ")")));
    }

    /**
     * Asks this leader to hand its leadership to {@code targetId} ({@link LeadershipTransfer#begin}).
     *
     * @return false if this node is the target (nothing to do), true if the transfer began (its end:
     *         {@code TRANSFER_DONE})
     */
    public boolean transferLeadership(int targetId) {
        begin();
        leader.flushPending();
        if (state.role == Role.LEADER && changes.inProgress() && targetId != state.selfId) {
            throw new MembershipChangeInProgressException(state.selfId, changes.describeInProgress(),
                "transferring the leadership to node " + targetId);
        }
        final boolean began = transfer.begin(targetId);
        if (began) {
            reads.leadershipTransferStarted(); // the target's campaign overrides the stickiness the lease relies on
        }
        return began;
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

    /** The configuration in force at log index {@code index} (at or above the applied index): what a snapshot records. */
    public Membership membershipAt(long index) {
        return configs.at(index);
    }

    /**
     * The nodes to talk to: the members of the configuration in force and of every configuration since the last
     * committed one (what {@code MEMBERSHIP_CHANGED} carries, for the transport).
     */
    public Membership routes() {
        return configs.routes();
    }

    /** The target of the leadership transfer in progress, or {@code NodeId.NONE}. */
    public int transferTarget() {
        return transfer.target();
    }

    /** Whether a membership change is in progress. */
    public boolean membershipChangeInProgress() {
        return changes.inProgress();
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
