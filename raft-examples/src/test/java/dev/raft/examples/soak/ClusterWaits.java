package dev.raft.examples.soak;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Bounded, condition-based waits on a {@link SoakCluster}'s reported statuses. */
final class ClusterWaits {
    private static final long POLL_MILLIS = 20;

    private ClusterWaits() {
    }

    /** Starts every node of {@code cluster} and waits until it is healthy; throws what was wrong otherwise. */
    static void startAll(SoakCluster cluster) throws Exception {
        for (int id : cluster.ids()) {
            cluster.start(id);
        }
        healthy(cluster, FaultRounds.HEAL_TIMEOUT).ifPresent(p -> {
            throw new AssertionError("the cluster did not start: " + p);
        });
    }

    /** The leader (of the highest term) once a running node says it leads; empty after {@code timeout}. */
    static Optional<SoakClient.NodeStatus> leader(SoakCluster cluster, Duration timeout) throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        do {
            final Optional<SoakClient.NodeStatus> leader = SoakCluster.leader(cluster.statuses());
            if (leader.isPresent()) {
                return leader;
            }
            Thread.sleep(POLL_MILLIS);
        } while (System.nanoTime() < deadline);
        return Optional.empty();
    }

    /**
     * Waits until a node other than {@code excluded} says it leads in a term above {@code term}; returns when
     * that was seen ({@link System#nanoTime()}), or -1 after {@code timeout}.
     */
    static long newLeader(SoakCluster cluster, long term, int excluded, Duration timeout) throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        do {
            for (int id : cluster.ids()) {
                if (id == excluded) {
                    continue;
                }
                final Optional<SoakClient.NodeStatus> s = cluster.status(id);
                if (s.isPresent() && s.get().role() == dev.raft.api.Role.LEADER && s.get().term() > term) {
                    return System.nanoTime();
                }
            }
            Thread.sleep(POLL_MILLIS);
        } while (System.nanoTime() < deadline);
        return -1;
    }

    /**
     * Waits until every node runs and answers, all follow one leader in one term, and every node applied at
     * least what that leader had committed when the wait began. Empty when healthy, else what was wrong.
     */
    static Optional<String> healthy(SoakCluster cluster, Duration timeout) throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        long target = -1;
        String problem = "";
        do {
            final Map<Integer, SoakClient.NodeStatus> all = cluster.statuses();
            final Optional<SoakClient.NodeStatus> leader = SoakCluster.leader(all);
            if (all.size() < cluster.ids().size()) {
                problem = "not every node answers";
            } else if (leader.isEmpty()) {
                problem = "no leader";
            } else {
                if (target < 0) {
                    target = leader.get().committedIndex();
                }
                final long term = leader.get().term();
                final int leaderId = leader.get().nodeId();
                final long want = target;
                final boolean agree = all.values().stream().allMatch(s -> s.term() == term && s.leaderId() == leaderId);
                final boolean caughtUp = all.values().stream().allMatch(s -> s.appliedIndex() >= want);
                if (agree && caughtUp) {
                    return Optional.empty();
                }
                problem = agree ? "not every node applied index " + want : "nodes disagree on the leader or term";
            }
            Thread.sleep(POLL_MILLIS * 5);
        } while (System.nanoTime() < deadline);
        return Optional.of("not healthy within " + timeout.toSeconds() + " s (" + problem + "):" + cluster.describe());
    }

    /**
     * Waits until every node reports the same last log, commit and applied index (the workload stopped).
     * Empty when converged, else the statuses.
     */
    static Optional<String> converged(SoakCluster cluster, Duration timeout) throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        do {
            final Map<Integer, SoakClient.NodeStatus> all = cluster.statuses();
            if (all.size() == cluster.ids().size()) {
                final SoakClient.NodeStatus any = all.values().iterator().next();
                if (all.values().stream().allMatch(s -> s.lastLogIndex() == any.lastLogIndex()
                    && s.committedIndex() == any.committedIndex() && s.appliedIndex() == any.appliedIndex()
                    && s.appliedIndex() == s.committedIndex())) {
                    return Optional.empty();
                }
            }
            Thread.sleep(TimeUnit.MILLISECONDS.toMillis(100));
        } while (System.nanoTime() < deadline);
        return Optional.of("not converged within " + timeout.toSeconds() + " s:" + cluster.describe());
    }
}
