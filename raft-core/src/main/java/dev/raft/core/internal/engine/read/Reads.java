package dev.raft.core.internal.engine.read;

import dev.raft.api.Role;
import dev.raft.api.message.AppendEntriesResponse;
import dev.raft.api.message.ReadIndexRequest;
import dev.raft.api.message.ReadIndexResponse;
import dev.raft.core.internal.engine.RaftState;
import dev.raft.core.internal.engine.replication.LeaderReplication;
import java.util.concurrent.TimeUnit;

/**
 * Reads without the log: dispatches a read to the leader's side ({@link LeaderReads}: ReadIndex rounds and
 * the lease) or the follower's ({@link FollowerReads}: asking the leader), and the events they react to.
 *
 * <p>Reads are numbered by the runtime (ids increasing by submission); the engine answers batches with
 * {@code READ_READY lastId index} (every read not yet answered with an id up to {@code lastId} may be served
 * once the state machine applied {@code index}) or {@code READ_FAILED lastId reason}. A leader's own reads
 * still unanswered when it loses its leadership are failed by the runtime on {@code LEADERSHIP_LOST}.
 */
public final class Reads {
    /** {@link #submit}: the read waits for a round (or the leader's answer). */
    public static final long QUEUED = 0;
    /** {@link #submit}: no leader is known. */
    public static final long NOT_LEADER = -1;
    /** {@link #submit}: the leader has not committed an entry of its term yet. */
    public static final long NOT_READY = -2;

    private final RaftState state;
    private final LeaderReads leader;
    private final FollowerReads follower;

    /** Reads for {@code state}; a lease lasts the minimum election timeout minus {@code clockDriftMillis}. */
    public Reads(RaftState state, long clockDriftMillis) {
        this.state = state;
        this.leader = new LeaderReads(state, TimeUnit.MILLISECONDS.toNanos(clockDriftMillis));
        this.follower = new FollowerReads(state);
    }

    /** Connects the leader side to the replication that carries its rounds. */
    public void wire(LeaderReplication replication) {
        leader.wire(replication);
    }

    /**
     * Submits read {@code readId} (ids increase); emits nothing (the next event does).
     *
     * @param lease whether the read may be served from the leader's lease
     * @return the index it may be served at once (&gt; 0), {@link #QUEUED}, {@link #NOT_LEADER} or {@link #NOT_READY}
     */
    public long submit(long readId, boolean lease) {
        return state.role == Role.LEADER ? leader.submit(readId, lease) : follower.submit(readId, lease);
    }

    /** Time passed. */
    public void tick() {
        follower.tick();
        leader.tick();
    }

    /** A follower answered an AppendEntries. */
    public void onAppendResponse(AppendEntriesResponse resp) {
        leader.onAppendResponse(resp);
    }

    /** A follower asks for a read index. */
    public void onReadIndexRequest(ReadIndexRequest req) {
        leader.onReadIndexRequest(req);
    }

    /** The leader answered this node's request for a read index. */
    public void onReadIndexResponse(ReadIndexResponse resp) {
        follower.onReadIndexResponse(resp);
    }

    /**
     * A leadership transfer begins (the leader is about to send TimeoutNow): the leader gives up its lease for the rest
     * of its term, since the target's campaign overrides the followers' stickiness that the lease relies on.
     */
    public void leadershipTransferStarted() {
        leader.revokeLease();
    }

    /** The leader side (tests). */
    public LeaderReads leader() {
        return leader;
    }
}
