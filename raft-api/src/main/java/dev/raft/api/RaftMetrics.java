package dev.raft.api;

import java.util.Map;

/**
 * A consistent picture of one node's Raft state, published by the node whenever it changes.
 *
 * @param nodeId           the node
 * @param role             its role
 * @param term             its current term
 * @param leaderId         the leader it knows of in {@code term}, or {@link NodeId#NONE}
 * @param votedFor         whom it voted for in {@code term}, or {@link NodeId#NONE}
 * @param lastLogId        the id of its last log entry (appended, not necessarily durable)
 * @param committedIndex   the highest index it knows to be committed
 * @param appliedIndex     the highest index its state machine has applied
 * @param snapshotLastLogId the last log id covered by its latest snapshot, or {@link LogId#NONE}
 * @param purgedLogId      the last log id removed from its log by purging, or {@link LogId#NONE}
 * @param membership       the membership in force: the latest configuration appended to its log (a
 *                         configuration takes effect when appended, committed or not), else the one of its
 *                         latest snapshot, else {@code RaftConfig.initialMembership}; with members' endpoints
 * @param membershipIndex  the log index of the entry that holds {@code membership}; 0 for the initial membership;
 *                         the snapshot's last index when that entry was purged into a snapshot. The
 *                         compare-and-set of {@code RaftNode.changeMembership(expectedConfigIndex, ...)} compares
 *                         with the leader's value
 * @param matchIndex       on a leader: each other member's matched index; otherwise empty
 * @param counters         the node's counters by label (elections started, stale and malformed messages
 *                         dropped, safety violations, snapshot transfers, ...), the same values it publishes
 *                         as Agrona counters; monotonic, read when the metrics are read
 */
public record RaftMetrics(
    int nodeId,
    Role role,
    long term,
    int leaderId,
    int votedFor,
    LogId lastLogId,
    long committedIndex,
    long appliedIndex,
    LogId snapshotLastLogId,
    LogId purgedLogId,
    Membership membership,
    long membershipIndex,
    Map<Integer, Long> matchIndex,
    Map<String, Long> counters) {

    /** Copies {@code matchIndex} and {@code counters} so the record stays immutable. */
    public RaftMetrics {
        matchIndex = Map.copyOf(matchIndex);
        counters = Map.copyOf(counters);
    }

    /** The counter labelled {@code label}, or 0 if there is none. */
    public long counter(String label) {
        return counters.getOrDefault(label, 0L);
    }

    /** Whether this node is the leader. */
    public boolean isLeader() {
        return role == Role.LEADER;
    }
}
