package dev.raft.testkit.simulation;

import dev.raft.api.LogId;
import dev.raft.api.RaftMetrics;
import dev.raft.api.storage.LogStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongArrayList;

/**
 * The Raft safety invariants, checked over all nodes and all time of one simulation. Observations come from
 * public APIs only: the published {@link RaftMetrics}, the log stores (through {@link ObservedLogStore}) and the
 * state machines (through {@link ObservedStateMachine}). Observers called on a node's duty cycle must not throw
 * (the node would swallow it), so every broken invariant is recorded as a violation and raised by the
 * simulation after the step.
 */
final class InvariantChecker {
    private final List<String> violations = new ArrayList<>();
    /** Election safety: the one leader of each term ever seen. */
    private final Long2LongHashMap leaderOfTerm = new Long2LongHashMap(-1);
    /** Log matching: for each (index, term) ever appended, the previous entry's term and the payload checksum. */
    private final Map<LogId, long[]> appended = new HashMap<>();
    /** State-machine safety: for index i, at position i - 1, the applied entry's term, checksum and digest after it. */
    private final LongArrayList appliedTerm = new LongArrayList();
    private final LongArrayList appliedChecksum = new LongArrayList();
    private final LongArrayList appliedDigest = new LongArrayList();
    /** For each term, the highest commit index a node in that term reported: committed in that term or before. */
    private final TreeMap<Long, Long> maxCommitInTerm = new TreeMap<>();
    private final Map<Integer, NodeView> views = new HashMap<>();
    /** Per node: the term and commit index of its last observation (for the commit quorum check). */
    private final Map<Integer, long[]> lastCommit = new HashMap<>();
    /** Per node: the membership of its last observation. */
    private final Map<Integer, dev.raft.api.Membership> lastMembership = new HashMap<>();
    private long commitQuorumChecks;
    private long appliedChecks;
    private long leaderChecks;
    private long purges;
    private long restores;

    /** What the checker last saw of one node incarnation. */
    private static final class NodeView {
        int incarnation = -1;
        long committed;
        long applied;
        long term;
        boolean leader;
    }

    /** Violations found so far (empty while every invariant holds). */
    List<String> violations() {
        return violations;
    }

    /** Entries whose application was checked against the other replicas. */
    long appliedChecks() {
        return appliedChecks;
    }

    /** Leader elections whose log was checked for completeness. */
    long leaderChecks() {
        return leaderChecks;
    }

    /** Leader commits checked against the quorums of the configuration in force. */
    long commitQuorumChecks() {
        return commitQuorumChecks;
    }

    /**
     * No commit without the quorums of the configuration in force: when a leader's commit index rises to c, a
     * strict majority of every voter set of its membership (the leader only if it is a voter of that set; learners
     * never) holds entry c of the leader's term — in its log, or purged under a snapshot — or is down (its disk
     * cannot be read then; an acknowledged entry was durable). The commit may have been decided before a
     * configuration appended in the same step, so the membership before the step passes too. Called before
     * {@link #afterStep}.
     *
     * @param logs the log of each node, or null while it is down
     */
    void checkCommitQuorum(RaftMetrics m, LogStore leaderLog, java.util.function.IntFunction<LogStore> logs) {
        final long[] last = lastCommit.computeIfAbsent(m.nodeId(), k -> new long[2]);
        final boolean rose = m.isLeader() && m.term() == last[0] && m.committedIndex() > last[1];
        last[0] = m.term();
        last[1] = m.committedIndex();
        final dev.raft.api.Membership before = lastMembership.put(m.nodeId(), m.membership());
        final long c = m.committedIndex();
        if (!rose || c <= leaderLog.lastPurgedLogId().index() || c > leaderLog.lastLogId().index()) {
            return;
        }
        commitQuorumChecks++;
        final long term = leaderLog.termAt(c);
        if (before != null && !before.equals(m.membership())
            && quorumHolds(m, before, c, term, leaderLog, logs) == null) {
            return;
        }
        final String broken = quorumHolds(m, m.membership(), c, term, leaderLog, logs);
        if (broken != null) {
            violation(broken);
        }
    }

    /** Null if a majority of every voter set of {@code members} holds entry c of {@code term}, else why not. */
    private static String quorumHolds(RaftMetrics m, dev.raft.api.Membership members, long c, long term,
                                      LogStore leaderLog, java.util.function.IntFunction<LogStore> logs) {
        for (int set = 0; set < members.voterSetCount(); set++) {
            int holding = 0;
            for (int i = 0; i < members.voterSetSize(set); i++) {
                final int voter = members.voterAt(set, i);
                final LogStore log = voter == m.nodeId() ? leaderLog : logs.apply(voter);
                if (log == null || log.lastPurgedLogId().index() >= c
                    || (log.lastLogId().index() >= c && log.termAt(c) == term)) {
                    holding++;
                }
            }
            if (holding * 2 <= members.voterSetSize(set)) {
                return "commit quorum: leader " + m.nodeId() + " of term " + m.term() + " committed entry " + c
                    + " held by only " + holding + " of voter set " + java.util.Arrays.toString(members.voters(set))
                    + " of its membership " + members;
            }
        }
        return null;
    }

    /** Log purges seen. */
    long purges() {
        return purges;
    }

    /** Snapshots restored into a state machine (at restart or installed from a leader). */
    long restores() {
        return restores;
    }

    void onPurge() {
        purges++;
    }

    void violation(String message) {
        violations.add(message);
    }

    /** Log matching: node {@code nodeId} appends entry (index, term) after an entry of {@code prevTerm}. */
    void onAppend(int nodeId, long index, long term, long prevTerm, long checksum) {
        final long[] seen = appended.putIfAbsent(LogId.of(term, index), new long[] {prevTerm, checksum, nodeId});
        if (seen != null && (seen[0] != prevTerm || seen[1] != checksum)) {
            violation("log matching: node " + nodeId + " appended entry " + index + " of term " + term
                + " (previous term " + prevTerm + ", payload crc " + Long.toHexString(checksum) + ") but node " + seen[2]
                + " appended it with previous term " + seen[0] + ", payload crc " + Long.toHexString(seen[1]));
        }
    }

    /** State-machine safety: node {@code nodeId} applied entry (index, term), reaching state {@code digest}. */
    void onApply(int nodeId, long index, long term, long checksum, long digest) {
        appliedChecks++;
        if (index <= appliedTerm.size()) {
            final int i = (int) index - 1;
            if (appliedTerm.getLong(i) != term || appliedChecksum.getLong(i) != checksum
                || appliedDigest.getLong(i) != digest) {
                violation("state-machine safety: node " + nodeId + " applied entry " + index + " of term " + term
                    + " (payload crc " + Long.toHexString(checksum) + ", state digest " + Long.toHexString(digest)
                    + ") but another node applied term " + appliedTerm.getLong(i) + " (payload crc "
                    + Long.toHexString(appliedChecksum.getLong(i)) + ", state digest "
                    + Long.toHexString(appliedDigest.getLong(i)) + ") at that index");
            }
        } else if (index == appliedTerm.size() + 1) {
            appliedTerm.addLong(term);
            appliedChecksum.addLong(checksum);
            appliedDigest.addLong(digest);
        } else {
            violation("state-machine safety: node " + nodeId + " applied entry " + index + " but entries "
                + (appliedTerm.size() + 1) + ".." + (index - 1) + " were never applied anywhere");
        }
    }

    /** Node {@code nodeId} restored a snapshot up to {@code index} with state {@code digest}. */
    void onRestore(int nodeId, long index, long digest) {
        restores++;
        if (index >= 1 && index <= appliedDigest.size() && appliedDigest.getLong((int) index - 1) != digest) {
            violation("state-machine safety: node " + nodeId + " restored a snapshot at index " + index
                + " with state digest " + Long.toHexString(digest) + " but the replicas reached "
                + Long.toHexString(appliedDigest.getLong((int) index - 1)) + " there");
        }
    }

    /**
     * Checks one node after its step: election safety, monotonic commit and applied indexes within an
     * incarnation, {@code purged <= snapshot <= applied <= committed <= last log}, the published last and purged
     * log ids against the log store's, and leader completeness when it has just become leader.
     */
    void afterStep(int incarnation, RaftMetrics m, LogStore log) {
        final int id = m.nodeId();
        final NodeView view = views.computeIfAbsent(id, k -> new NodeView());
        if (view.incarnation != incarnation) {
            view.incarnation = incarnation;
            view.committed = 0;
            view.applied = 0;
            view.leader = false;
        }
        if (m.committedIndex() < view.committed || m.appliedIndex() < view.applied) {
            violation("monotonic indexes: node " + id + " (incarnation " + incarnation + ") went from committed "
                + view.committed + " applied " + view.applied + " back to committed " + m.committedIndex()
                + " applied " + m.appliedIndex());
        }
        view.committed = m.committedIndex();
        view.applied = m.appliedIndex();
        final long snapshot = m.snapshotLastLogId().index();
        if (m.purgedLogId().index() > snapshot
            || snapshot > m.appliedIndex()
            || m.appliedIndex() > m.committedIndex()
            || m.committedIndex() > m.lastLogId().index()) {
            violation("index order: node " + id + " breaks purged <= snapshot <= applied <= committed <= last log:"
                + " purged " + m.purgedLogId().index() + ", snapshot " + m.snapshotLastLogId().index() + ", applied "
                + m.appliedIndex() + ", committed " + m.committedIndex() + ", last log " + m.lastLogId().index());
        }
        final LogId storedLast = log.lastLogId();
        final LogId storedPurged = log.lastPurgedLogId();
        if (!storedLast.equals(m.lastLogId()) || !storedPurged.equals(m.purgedLogId())) {
            violation("metrics vs store: node " + id + " publishes last log " + m.lastLogId() + ", purged "
                + m.purgedLogId() + " but its log store holds last " + storedLast + ", purged " + storedPurged);
        }
        if (m.committedIndex() > 0) {
            maxCommitInTerm.merge(m.term(), m.committedIndex(), Math::max);
        }
        final boolean leader = m.isLeader();
        if (leader) {
            final long previous = leaderOfTerm.get(m.term());
            if (previous == -1) {
                leaderOfTerm.put(m.term(), id);
            } else if (previous != id) {
                violation("election safety: nodes " + previous + " and " + id + " were both leader of term " + m.term());
            }
            if (!view.leader || view.term != m.term()) {
                checkLeaderCompleteness(id, m.term(), log);
            }
        }
        view.leader = leader;
        view.term = m.term();
    }

    /** Every entry known committed in a term before {@code term} is in the new leader's log. */
    private void checkLeaderCompleteness(int id, long term, LogStore log) {
        leaderChecks++;
        long committedBefore = 0;
        for (long c : maxCommitInTerm.headMap(term, false).values()) {
            committedBefore = Math.max(committedBefore, c);
        }
        final long upTo = Math.min(committedBefore, appliedTerm.size());
        final long purged = log.lastPurgedLogId().index();
        final long last = log.lastLogId().index();
        if (upTo > last) {
            violation("leader completeness: node " + id + " became leader of term " + term + " with last log index "
                + last + " but entries up to " + upTo + " were committed in earlier terms");
            return;
        }
        for (long i = purged + 1; i <= upTo; i++) {
            final long t = log.termAt(i);
            if (t != appliedTerm.getLong((int) i - 1)) {
                violation("leader completeness: node " + id + " became leader of term " + term + " with entry " + i
                    + " of term " + t + " but the committed entry " + i + " has term " + appliedTerm.getLong((int) i - 1));
                return;
            }
        }
    }
}
