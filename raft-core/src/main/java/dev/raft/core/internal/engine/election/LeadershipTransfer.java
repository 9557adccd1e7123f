package dev.raft.core.internal.engine.election;

import dev.raft.api.NodeId;
import dev.raft.api.Role;
import dev.raft.api.error.LeadershipTransferException;
import dev.raft.api.error.LeadershipTransferInProgressException;
import dev.raft.api.error.NotLeaderException;
import dev.raft.api.message.MessageType;
import dev.raft.api.message.TimeoutNowRequest;
import dev.raft.core.internal.engine.EngineCounter;
import dev.raft.core.internal.engine.RaftState;
import dev.raft.core.internal.engine.replication.LeaderReplication;
import dev.raft.core.internal.engine.replication.Progress;
import dev.raft.core.internal.engine.replication.ProgressTracker;
import java.util.concurrent.TimeUnit;

/**
 * The leader's side of a leadership transfer (Raft dissertation §3.10, after etcd-raft's
 * {@code MsgTransferLeader}): while a transfer is in progress the leader accepts no proposal; it brings the
 * target's log up to its own last index, then sends it one TimeoutNow, on which the target campaigns at once
 * ({@link Election#onTimeoutNow}). The transfer ends when this node learns who leads: the target (done), or
 * another node (failed); or when an election timeout (the maximum) has passed since it began (failed, and a
 * node still leading resumes). Its end is reported as {@code TRANSFER_DONE}.
 */
public final class LeadershipTransfer {
    private final RaftState state;
    private LeaderReplication leader;
    private int target = NodeId.NONE;
    private long deadline;
    private boolean timeoutNowSent;

    /** Transfers for {@code state}. */
    public LeadershipTransfer(RaftState state) {
        this.state = state;
    }

    /** Connects the leader side whose progress it watches. */
    public void wire(LeaderReplication leaderSide) {
        this.leader = leaderSide;
    }

    /** The target of the transfer in progress, or {@link NodeId#NONE}. */
    public int target() {
        return target;
    }

    /** Whether a transfer is in progress (a leader then refuses proposals and changes). */
    public boolean inProgress() {
        return target != NodeId.NONE;
    }

    /**
     * Begins a transfer to {@code targetId}.
     *
     * @return false if this node is the target (nothing to do), true if the transfer began
     * @throws NotLeaderException                     if this node is not the leader
     * @throws LeadershipTransferInProgressException  if a transfer is in progress
     * @throws LeadershipTransferException            (not retriable) if the target is no voter
     */
    public boolean begin(int targetId) {
        if (state.role != Role.LEADER) {
            throw new NotLeaderException(state.selfId, state.leaderId, state.term);
        }
        if (inProgress()) {
            throw new LeadershipTransferInProgressException(state.selfId, target, state.term);
        }
        if (targetId == state.selfId) {
            return false;
        }
        if (!state.membership.isVoter(targetId)) {
            throw new LeadershipTransferException(state.selfId, targetId, "node " + targetId
                + " is not a voter of the membership in force " + state.membership, false);
        }
        target = targetId;
        deadline = state.now + state.electionMaxNanos;
        timeoutNowSent = false;
        catchUpOrTimeoutNow();
        return true;
    }

    /** Leader: the target answered an AppendEntries: once its log matches the leader's, TimeoutNow. */
    public void onAppendResponse(int from) {
        if (from == target && state.role == Role.LEADER && !timeoutNowSent) {
            catchUpOrTimeoutNow();
        }
    }

    private void catchUpOrTimeoutNow() {
        final Progress pr = leader.tracker().of(target);
        if (pr.matchIndex() == state.log.lastIndex()) {
            final TimeoutNowRequest req = state.out.message(MessageType.TIMEOUT_NOW_REQUEST);
            req.set(state.selfId, target, state.term);
            state.out.send(req);
            timeoutNowSent = true;
        } else {
            leader.sendAppends(pr); // catch it up first; its answers bring us back here
        }
    }

    /**
     * Leader, about to step down because no quorum answered it within the minimum election timeout (CheckQuorum):
     * sends one TimeoutNow to the voter most likely to win, the one with the highest match index (of those holding
     * every entry known committed; the one heard from last among equals), so that a leader that hears nobody but is
     * still heard (its inbound traffic lost) hands over at once. Without it, its followers, which heard its heartbeats
     * until now, would each wait a whole election timeout more before campaigning. Where the leader is not heard
     * either, the message is lost and nothing changes; a target whose log turns out behind another voter's loses
     * its election to that voter, which keeps its own timer ({@link Election}). Not while a transfer is in progress.
     *
     * @return the voter sent TimeoutNow, or {@link NodeId#NONE}
     */
    public int handOffOnStepDown() {
        if (state.role != Role.LEADER || inProgress()) {
            return NodeId.NONE;
        }
        final ProgressTracker tracker = leader.tracker();
        Progress best = null;
        for (int i = 0; i < tracker.size(); i++) {
            final Progress pr = tracker.at(i);
            if (state.membership.isVoter(pr.nodeId()) && pr.matchIndex() >= state.commitIndex
                && (best == null || pr.matchIndex() > best.matchIndex()
                || (pr.matchIndex() == best.matchIndex() && pr.lastActive() - best.lastActive() > 0))) {
                best = pr;
            }
        }
        if (best == null) {
            return NodeId.NONE;
        }
        final TimeoutNowRequest req = state.out.message(MessageType.TIMEOUT_NOW_REQUEST);
        req.set(state.selfId, best.nodeId(), state.term);
        state.out.send(req);
        state.count(EngineCounter.LEADERSHIP_HANDOFFS);
        return best.nodeId();
    }

    /** Whether this leader sent TimeoutNow to {@code candidate} for the transfer in progress. */
    public boolean sentTimeoutNowTo(int candidate) {
        return timeoutNowSent && target == candidate;
    }

    /** This node learned that {@code leaderId} leads (or that no leader is known: {@link NodeId#NONE}). */
    public void onLeaderKnown(int leaderId) {
        if (!inProgress() || leaderId == NodeId.NONE || leaderId == state.selfId) {
            return;
        }
        if (leaderId == target) {
            end(null);
        } else {
            end("node " + leaderId + " won the election instead");
        }
    }

    /** Time passed: a transfer not done within an election timeout fails, and a node still leading resumes. */
    public void tick() {
        if (inProgress() && state.now - deadline >= 0) {
            end("node " + target + " did not win within an election timeout ("
                + TimeUnit.NANOSECONDS.toMillis(state.electionMaxNanos) + " ms)"
                + (state.role == Role.LEADER ? "; node " + state.selfId + " resumes as leader" : ""));
        }
    }

    private void end(String failure) {
        state.out.transferDone(target, failure, true);
        target = NodeId.NONE;
        timeoutNowSent = false;
    }
}
