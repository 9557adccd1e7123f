package dev.raft.core.internal.engine;

import dev.raft.api.LogId;
import dev.raft.api.Membership;
import dev.raft.api.NodeId;
import dev.raft.api.Role;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.config.RaftConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * The Raft state of one node that every rule reads and changes: term, vote, role, leader, the log's ids,
 * commit, durable and applied indexes, membership, the current snapshot, the time of the event, and where
 * commands and counters go. The handlers ({@code election}, {@code replication}, {@code snapshot}) share
 * this one object; the runtime reads it through the getters.
 */
public final class RaftState {
    // ------------------------------------------------------------------ configuration
    public final int selfId;
    /**
     * The membership in force: the latest configuration in the log (a configuration takes effect when
     * appended), else the snapshot's, else the initial one. Changed only by {@link #setMembership}.
     */
    public Membership membership;
    /** The log index of the entry holding {@link #membership}; 0 for the initial one. */
    public long membershipIndex;
    /** Every other member, ascending; a peer's slot is its position here (changes with the membership). */
    public int[] peerIds;
    public final long electionMinNanos;
    public final long electionMaxNanos;
    public final long heartbeatNanos;
    public final boolean preVote;
    public final boolean checkQuorum;
    public final int maxEntriesPerAppend;
    public final int maxBytesPerAppend;
    public final int maxInflightAppends;
    public final int snapshotChunkBytes;
    public final int maxInflightSnapshotChunks;
    public final long snapshotTimeoutNanos;
    public final long maxAppliedLogToKeep;

    // ------------------------------------------------------------------ shared parts
    /** The term of every index held (no IO). */
    public final LogTerms log = new LogTerms();
    /** Where the current event's commands go. */
    public final Commands out;
    public final EngineCounters counters = new EngineCounters();
    private final RandomGenerator random;
    /** Called after every membership change, in registration order (slot-indexed parts re-slot). */
    private final List<Runnable> membershipListeners = new ArrayList<>();

    // ------------------------------------------------------------------ the state
    public Role role = Role.FOLLOWER;
    public long term;
    public int votedFor = NodeId.NONE;
    public int leaderId = NodeId.NONE;
    public long commitIndex;
    /** The highest index known durable in the local log. */
    public long durableIndex;
    /** The highest index the state machine reported applied. */
    public long appliedIndex;
    /** The time of the current event. */
    public long now;
    public long electionDeadline;
    /** When a leader was last heard from (for the lease that refuses disruptive votes). */
    public long lastLeaderContact = Long.MIN_VALUE;
    /** The node's latest finished snapshot (built or installed), or null, and its size. */
    public SnapshotMeta snapshot;
    public long snapshotSize;

    RaftState(RaftConfig config, RandomGenerator random, Commands out) {
        this.selfId = config.nodeId();
        this.membership = config.initialMembership();
        this.peerIds = Arrays.stream(membership.allNodes()).filter(id -> id != selfId).toArray();
        this.electionMinNanos = TimeUnit.MILLISECONDS.toNanos(config.electionTimeoutMinMillis());
        this.electionMaxNanos = TimeUnit.MILLISECONDS.toNanos(config.electionTimeoutMaxMillis());
        this.heartbeatNanos = TimeUnit.MILLISECONDS.toNanos(config.heartbeatIntervalMillis());
        this.preVote = config.preVote();
        this.checkQuorum = config.checkQuorum();
        this.maxEntriesPerAppend = config.maxEntriesPerAppend();
        this.maxBytesPerAppend = config.maxBytesPerAppend();
        this.maxInflightAppends = config.maxInflightAppends();
        this.snapshotChunkBytes = config.snapshotChunkBytes();
        this.maxInflightSnapshotChunks = config.maxInflightSnapshotChunks();
        this.snapshotTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(config.snapshotTransferTimeoutMillis());
        this.maxAppliedLogToKeep = config.maxAppliedLogToKeep();
        this.random = random;
        this.out = out;
    }

    /**
     * Makes {@code newMembership}, held by log entry {@code index}, the membership in force (no-op if it already
     * is): recomputes the peers, moves a follower to learner or back, and tells the parts that keep state by
     * slot.
     */
    public void setMembership(Membership newMembership, long index) {
        if (newMembership.equals(membership) && index == membershipIndex) {
            return;
        }
        membership = newMembership;
        membershipIndex = index;
        peerIds = Arrays.stream(newMembership.allNodes()).filter(id -> id != selfId).toArray();
        if (role == Role.FOLLOWER || role == Role.LEARNER) {
            role = followerRole();
        }
        for (Runnable listener : membershipListeners) {
            listener.run();
        }
    }

    /** Registers {@code listener} to run after every membership change. */
    public void onMembershipChange(Runnable listener) {
        membershipListeners.add(listener);
    }

    /** The slot of peer {@code nodeId} in {@link #peerIds}, or a negative number for a non-member (or self). */
    public int slotOf(int nodeId) {
        return Arrays.binarySearch(peerIds, nodeId);
    }

    /** Draws the next election deadline from the randomized timeout. */
    public void resetElectionTimer() {
        electionDeadline = now + random.nextLong(electionMinNanos, electionMaxNanos);
    }

    /** The role a non-leader, non-candidate node takes: learner or follower. */
    public Role followerRole() {
        return membership.isLearner(selfId) ? Role.LEARNER : Role.FOLLOWER;
    }

    /** Whether this node may vote and stand for election. */
    public boolean isVoter() {
        return role != Role.LEARNER && membership.isVoter(selfId);
    }

    /** Removes the log up to {@code index} (which must be held or the purge point), keeping its term. */
    public void purgeLog(long index, long indexTerm) {
        out.purge(index, indexTerm);
        log.purgeUpTo(index, indexTerm);
    }

    /** Counts {@code counter}. */
    public void count(EngineCounter counter) {
        counters.increment(counter);
    }

    // ------------------------------------------------------------------ read-only view

    public int selfId() {
        return selfId;
    }

    public Membership membership() {
        return membership;
    }

    /** The log index of the entry that holds {@link #membership()}; 0 for the initial membership. */
    public long membershipIndex() {
        return membershipIndex;
    }

    public Role role() {
        return role;
    }

    public boolean isLeader() {
        return role == Role.LEADER;
    }

    public long term() {
        return term;
    }

    public int votedFor() {
        return votedFor;
    }

    public int leaderId() {
        return leaderId;
    }

    public long commitIndex() {
        return commitIndex;
    }

    public long durableIndex() {
        return durableIndex;
    }

    public long appliedIndex() {
        return appliedIndex;
    }

    public long lastLogIndex() {
        return log.lastIndex();
    }

    public long lastLogTerm() {
        return log.lastTerm();
    }

    public long purgedIndex() {
        return log.purgedIndex();
    }

    /** The current snapshot (built or installed), or null. */
    public SnapshotMeta currentSnapshot() {
        return snapshot;
    }

    /** The last log id of the current snapshot, or {@link LogId#NONE}. */
    public LogId snapshotLastLogId() {
        return snapshot == null ? LogId.NONE : snapshot.lastLogId();
    }

    @Override
    public String toString() {
        return "node=" + selfId + " " + role + " term=" + term + " vote=" + votedFor + " leader=" + leaderId
            + " commit=" + commitIndex + " durable=" + durableIndex + " " + log;
    }
}
