package dev.raft.core.internal.metrics;

import dev.raft.api.LogId;
import dev.raft.api.Membership;
import dev.raft.api.RaftMetrics;
import dev.raft.api.Role;
import dev.raft.core.internal.engine.RaftEngine;
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
 * coalesced per duty cycle.
 */
public final class MetricsPublisher {
    private static final long AWAIT_POLL_NANOS = 200_000;

    private final int nodeId;
    private final int[] peers;
    private final Membership membership;
    private final AtomicLongArray match;
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
     * @param membership its membership
     * @param peers      the other members, whose match indexes a leader publishes
     */
    public MetricsPublisher(int nodeId, Membership membership, int[] peers) {
        this.nodeId = nodeId;
        this.membership = membership;
        this.peers = peers.clone();
        this.match = new AtomicLongArray(peers.length);
    }

    /** Node thread: publishes the engine's state if it differs from the last publication. */
    public void update(RaftEngine engine, long appliedIndex, LogId snapshotLast, LogId purged) {
        boolean changed = role != engine.role() || term != engine.term() || leaderId != engine.leaderId()
            || votedFor != engine.votedFor() || lastLogIndex != engine.lastLogIndex()
            || lastLogTerm != engine.lastLogTerm() || committed != engine.commitIndex() || applied != appliedIndex
            || snapshotLastLogId != snapshotLast || purgedLogId != purged;
        for (int i = 0; i < peers.length && !changed; i++) {
            changed = match.get(i) != engine.matchIndex(peers[i]);
        }
        if (!changed) {
            return;
        }
        version = version + 1;
        role = engine.role();
        term = engine.term();
        leaderId = engine.leaderId();
        votedFor = engine.votedFor();
        lastLogIndex = engine.lastLogIndex();
        lastLogTerm = engine.lastLogTerm();
        committed = engine.commitIndex();
        applied = appliedIndex;
        snapshotLastLogId = snapshotLast;
        purgedLogId = purged;
        for (int i = 0; i < peers.length; i++) {
            match.set(i, engine.matchIndex(peers[i]));
        }
        version = version + 1;
    }

    /** Node thread: publishes the final role of a closed node. */
    public void shutdown() {
        version = version + 1;
        role = Role.SHUTDOWN;
        leaderId = 0;
        version = version + 1;
    }

    /** Any thread: the version of the latest publication (changes whenever the metrics do). */
    public long version() {
        return version;
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
            if (r == Role.LEADER) {
                for (int i = 0; i < peers.length; i++) {
                    matchIndex.put(peers[i], match.get(i));
                }
            }
            final RaftMetrics metrics = new RaftMetrics(nodeId, r, term, leaderId, votedFor,
                LogId.of(lastLogIndex == 0 ? 0 : lastLogTerm, lastLogIndex), committed, applied, snapshotLastLogId,
                purgedLogId, membership, matchIndex);
            if (version == before) {
                return metrics;
            }
        }
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
