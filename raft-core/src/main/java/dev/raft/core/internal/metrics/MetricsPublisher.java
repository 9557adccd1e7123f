package dev.raft.core.internal.metrics;

import dev.raft.api.LogId;
import dev.raft.api.Membership;
import dev.raft.api.RaftMetrics;
import dev.raft.api.Role;
import dev.raft.core.internal.engine.EngineCounter;
import dev.raft.core.internal.engine.RaftEngine;
import dev.raft.core.internal.engine.RaftState;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * Publishes a node's metrics from its thread without allocating: the writer compares the engine's state
 * with what it last published at the end of every duty cycle and, when anything changed, writes the new
 * values under a sequence lock (one version bump before and after). Readers on any thread build a
 * consistent {@link RaftMetrics} record on demand, retrying if a write overlapped. Role, term, leader and
 * vote changes are thus published within the duty cycle that made them; commit and applied indexes are
 * coalesced per duty cycle. The membership and the peers whose match indexes a leader publishes follow the
 * membership in force (the arrays are replaced, under the sequence lock, only when it changes).
 */
public final class MetricsPublisher {
    private static final long AWAIT_POLL_NANOS = 200_000;
    private static final EngineCounter[] COUNTERS = EngineCounter.values();

    private final int nodeId;
    private final CountersPublisher counters;
    private volatile int[] peers = new int[0];
    private volatile AtomicLongArray match = new AtomicLongArray(0);
    private volatile Membership membership;
    private volatile long membershipIndex;
    /** The engine's peer array the published peers were copied from (replaced by the engine on each change). */
    private int[] peersSource;
    /** The last counter summary read (any reader thread may replace it). */
    private volatile Summary summary;
    private volatile long version;
    private volatile Role role = Role.FOLLOWER;
    private volatile long term;
    private volatile int leaderId;
    private volatile int votedFor;
    private volatile long lastLogTerm;
    private volatile long lastLogIndex;
    private volatile long committed;
    private volatile long applied;
    private volatile LogId snapshotLastLogId = LogId.NONE;
    private volatile LogId purgedLogId = LogId.NONE;

    /**
     * @param nodeId     the node
     * @param initial    the membership published until the node starts
     * @param counters   the node's published counters, summarized in every read
     */
    public MetricsPublisher(int nodeId, Membership initial, CountersPublisher counters) {
        this.nodeId = nodeId;
        this.membership = initial;
        this.counters = counters;
    }

    /** Node thread: publishes the engine's state if it differs from the last publication. */
    public void update(RaftEngine engine, long appliedIndex, LogId snapshotLast, LogId purged) {
        final RaftState s = engine.state();
        boolean changed = role != s.role() || term != s.term() || leaderId != s.leaderId()
            || votedFor != s.votedFor() || lastLogIndex != s.lastLogIndex()
            || lastLogTerm != s.lastLogTerm() || committed != s.commitIndex() || applied != appliedIndex
            || snapshotLastLogId != snapshotLast || purgedLogId != purged;
        final boolean membershipChanged = membership != s.membership() || membershipIndex != s.membershipIndex()
            || peersSource != s.peerIds;
        final int[] currentPeers = peers;
        final AtomicLongArray currentMatch = match;
        for (int i = 0; i < currentPeers.length && !changed; i++) {
            changed = currentMatch.get(i) != engine.replication().matchIndex(currentPeers[i]);
        }
        if (!changed && !membershipChanged) {
            return;
        }
        version = version + 1;
        if (membershipChanged) {
            membership = s.membership();
            membershipIndex = s.membershipIndex();
            peersSource = s.peerIds;
            peers = s.peerIds.clone();
            match = new AtomicLongArray(s.peerIds.length);
        }
        role = s.role();
        term = s.term();
        leaderId = s.leaderId();
        votedFor = s.votedFor();
        lastLogIndex = s.lastLogIndex();
        lastLogTerm = s.lastLogTerm();
        committed = s.commitIndex();
        applied = appliedIndex;
        snapshotLastLogId = snapshotLast;
        purgedLogId = purged;
        final int[] newPeers = peers;
        final AtomicLongArray newMatch = match;
        for (int i = 0; i < newPeers.length; i++) {
            newMatch.set(i, engine.replication().matchIndex(newPeers[i]));
        }
        version = version + 1;
    }

    /** Node thread: publishes the final role of a closed node (a failed node stays FAILED). */
    public void shutdown() {
        if (role == Role.FAILED) {
            return;
        }
        version = version + 1;
        role = Role.SHUTDOWN;
        leaderId = 0;
        version = version + 1;
    }

    /** Node thread: publishes that the node stopped after a fatal error. */
    public void fail() {
        version = version + 1;
        role = Role.FAILED;
        leaderId = 0;
        version = version + 1;
    }

    /** Any thread: a consistent copy of the latest publication. */
    public RaftMetrics read() {
        while (true) {
            final long before = version;
            if ((before & 1) != 0) {
                Thread.onSpinWait();
                continue;
            }
            final Role r = role;
            final Map<Integer, Long> matchIndex = new HashMap<>();
            final int[] readPeers = peers;
            final AtomicLongArray readMatch = match;
            if (r == Role.LEADER && readPeers.length == readMatch.length()) {
                for (int i = 0; i < readPeers.length; i++) {
                    matchIndex.put(readPeers[i], readMatch.get(i));
                }
            }
            final RaftMetrics metrics = new RaftMetrics(nodeId, r, term, leaderId, votedFor,
                LogId.of(lastLogIndex == 0 ? 0 : lastLogTerm, lastLogIndex), committed, applied, snapshotLastLogId,
                purgedLogId, membership, membershipIndex, matchIndex, counterSummary());
            if (version == before) {
                return metrics;
            }
        }
    }

    /** The counters by label; rebuilt only when a counter changed since the last read (reads are frequent). */
    private Map<String, Long> counterSummary() {
        final long[] values = new long[COUNTERS.length];
        for (int i = 0; i < COUNTERS.length; i++) {
            values[i] = counters.value(COUNTERS[i]);
        }
        final Summary last = summary;
        if (last != null && java.util.Arrays.equals(last.values, values)) {
            return last.map;
        }
        final Map<String, Long> map = new HashMap<>();
        for (int i = 0; i < COUNTERS.length; i++) {
            map.put(COUNTERS[i].label(), values[i]);
        }
        final Summary built = new Summary(values, Map.copyOf(map));
        summary = built;
        return built.map;
    }

    private record Summary(long[] values, Map<String, Long> map) {
    }

    /**
     * Any thread: waits until the metrics satisfy {@code condition}, polling every 200 µs for a new
     * publication.
     *
     * @throws TimeoutException     naming the last metrics seen if {@code timeout} passes first
     * @throws InterruptedException if the waiting thread is interrupted
     */
    public RaftMetrics await(Predicate<RaftMetrics> condition, Duration timeout) throws TimeoutException, InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        long seen = -1;
        RaftMetrics last = null;
        while (true) {
            final long v = version;
            if (v != seen || last == null) {
                last = read();
                seen = v;
                if (condition.test(last)) {
                    return last;
                }
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new TimeoutException("node " + nodeId + ": metrics did not satisfy the condition within " + timeout
                    + "; last seen " + last);
            }
            LockSupport.parkNanos(AWAIT_POLL_NANOS);
            if (Thread.interrupted()) {
                throw new InterruptedException("node " + nodeId + ": interrupted while awaiting metrics");
            }
        }
    }
}
