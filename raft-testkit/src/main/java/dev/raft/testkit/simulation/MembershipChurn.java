package dev.raft.testkit.simulation;

import dev.raft.api.Membership;
import dev.raft.api.RaftMetrics;
import dev.raft.api.RaftNode;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * Membership churn for a {@link SimulatedCluster}: now and then the current leader is asked, through the public
 * {@code RaftNode} API, to add a learner, promote a learner, remove a member (itself included) or hand its
 * leadership to another voter — one request at a time, under the simulation's drops, partitions and crashes.
 * A node whose removal is known committed is retired (stopped); adding a node back takes a retired one and restarts
 * it on its own disk (its vote kept: an id must never vote twice in a term), knowing the current membership. Node
 * slots never change; only the membership does. Deterministic: every choice comes from the seed.
 */
final class MembershipChurn {
    /** What the simulation does for the churn. */
    interface Cluster {
        /** Node {@code id} if it runs, else null. */
        RaftNode live(int id);

        /** Stops node {@code id} for good (its removal is committed). */
        void retire(int id);

        /** Restarts retired node {@code id} on its own disk, knowing {@code membership}. */
        void rejoin(int id, Membership membership);
    }

    private enum Op { ADD, PROMOTE, REMOVE, TRANSFER }

    private final SplittableRandom random;
    private final int size;
    private final Cluster cluster;
    /** Per round, the chance of a request when none is in flight (0 for some seeds: no churn). */
    private final double rate;
    private final boolean[] retired;
    private CompletableFuture<?> pending;
    private Op pendingOp;
    private int pendingNode;
    private long completed;
    private long transfers;
    private long failed;

    /**
     * @param enabled false for no churn at all (runs over a third party's stores)
     */
    MembershipChurn(long seed, int size, boolean enabled, Cluster cluster) {
        this.random = new SplittableRandom(seed ^ 0x6D656D62L);
        this.size = size;
        this.cluster = cluster;
        final double[] rates = {0, 0.004, 0.01, 0.03};
        this.rate = enabled ? rates[random.nextInt(rates.length)] : 0;
        this.retired = new boolean[size + 1];
    }

    /** Whether node {@code id} was retired (and not added back). */
    boolean retired(int id) {
        return retired[id];
    }

    /** Changes that completed (committed), transfers that completed, and requests that failed. */
    long completed() {
        return completed;
    }

    long transfers() {
        return transfers;
    }

    long failed() {
        return failed;
    }

    /**
     * One round: collects the outcome of the request in flight; maybe sends the next one to the leader.
     *
     * @return a value for the trace hash (0 when nothing happened)
     */
    long round(boolean issue) {
        long trace = 0;
        if (pending != null && pending.isDone()) {
            if (pending.isCompletedExceptionally()) {
                failed++;
                trace = 31;
                if (pendingOp == Op.ADD && !unknownOutcome(pending)) {
                    retired[pendingNode] = true; // refused: it is no member, stop it again
                    cluster.retire(pendingNode);
                }
            } else {
                if (pendingOp == Op.TRANSFER) {
                    transfers++;
                } else {
                    completed++;
                }
                if (pendingOp == Op.REMOVE) {
                    retired[pendingNode] = true;
                    cluster.retire(pendingNode);
                }
                trace = 37 + pendingOp.ordinal();
            }
            pending = null;
        }
        if (!issue || pending != null || rate == 0 || random.nextDouble() >= rate) {
            return trace;
        }
        final RaftNode leader = leader();
        if (leader == null) {
            return trace;
        }
        final Membership m = leader.metrics().membership();
        if (m.isJoint()) {
            return trace;
        }
        final int[] voters = m.voters(0);
        final int[] learners = m.learners();
        final Op op = Op.values()[random.nextInt(Op.values().length)];
        switch (op) {
            case ADD -> {
                final int[] candidates = IntStream.rangeClosed(1, size).filter(id -> retired[id]).toArray();
                if (candidates.length == 0) {
                    return trace;
                }
                final int id = candidates[random.nextInt(candidates.length)];
                retired[id] = false;
                cluster.rejoin(id, m);
                issue(Op.ADD, id, leader.addLearner(id, "sim-node-" + id + ":" + (7000 + id)));
            }
            case PROMOTE -> {
                if (learners.length == 0) {
                    return trace;
                }
                final int id = learners[random.nextInt(learners.length)];
                issue(Op.PROMOTE, id, leader.changeMembership(leader.metrics().membershipIndex(), with(voters, id),
                    without(learners, id)));
            }
            case REMOVE -> {
                final int[] members = m.allNodes();
                final int id = members[random.nextInt(members.length)];
                if (m.isVoter(id) && voters.length <= 2) {
                    return trace; // keep some redundancy
                }
                issue(Op.REMOVE, id, leader.changeMembership(without(voters, id), without(learners, id)));
            }
            default -> {
                if (voters.length < 2) {
                    return trace;
                }
                final int id = voters[random.nextInt(voters.length)];
                issue(Op.TRANSFER, id, leader.transferLeadership(id));
            }
        }
        return trace + 41 + op.ordinal();
    }

    /**
     * Whether the request failed with an unknown outcome: anything but a refusal before a configuration was
     * appended (leadership lost, the leader closed or crashed meanwhile: its configuration may still commit).
     */
    private static boolean unknownOutcome(CompletableFuture<?> future) {
        try {
            future.join();
            return false;
        } catch (java.util.concurrent.CompletionException e) {
            final Throwable cause = e.getCause();
            return !(cause instanceof dev.raft.api.error.NotLeaderException
                || cause instanceof dev.raft.api.error.MembershipChangeInProgressException
                || cause instanceof dev.raft.api.error.LeadershipTransferInProgressException
                || cause instanceof dev.raft.api.error.ConfigIndexMismatchException
                || cause instanceof dev.raft.api.error.LearnerLagException
                || cause instanceof IllegalArgumentException);
        } catch (java.util.concurrent.CancellationException e) {
            return true;
        }
    }

    private void issue(Op op, int node, CompletableFuture<?> future) {
        pending = future;
        pendingOp = op;
        pendingNode = node;
    }

    /** The live node that leads in the highest term, or null. */
    private RaftNode leader() {
        RaftNode best = null;
        long term = -1;
        for (int id = 1; id <= size; id++) {
            final RaftNode n = cluster.live(id);
            if (n != null) {
                final RaftMetrics m = n.metrics();
                if (m.isLeader() && m.term() > term) {
                    best = n;
                    term = m.term();
                }
            }
        }
        return best;
    }

    private static int[] with(int[] ids, int id) {
        final int[] out = Arrays.copyOf(ids, ids.length + 1);
        out[ids.length] = id;
        return out;
    }

    private static int[] without(int[] ids, int id) {
        return Arrays.stream(ids).filter(x -> x != id).toArray();
    }
}
