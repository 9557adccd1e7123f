package dev.raft.testkit.statemachine;

import dev.raft.api.RaftNode;
import dev.raft.api.error.LeadershipLostException;
import dev.raft.api.error.NotLeaderException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/** Client-side helpers for cluster tests that drive {@link KvStateMachine} commands through a changing leader. */
public final class KvProposals {
    /** How many rounds of re-proposals {@link #awaitRetryingLost} makes before it gives up. */
    public static final int MAX_RETRY_ROUNDS = 20;

    private KvProposals() {
    }

    /**
     * Waits for every proposal; re-proposes through the current leader each one refused by a non-leader
     * ({@link NotLeaderException}) or lost with its leader ({@link LeadershipLostException}), for up to
     * {@link #MAX_RETRY_ROUNDS} rounds. Only for idempotent commands such as PUT: a lost proposal may have
     * been committed after all.
     *
     * @param futures  the proposals' futures; position {@code i} is replaced by its re-proposal
     * @param commandI the command of position {@code i}, for re-proposing it
     * @param leader   waits for and returns the current leader
     * @param wait     how long to wait for each future
     * @return the leader's committed index once every proposal succeeded
     * @throws ExecutionException if a proposal failed for another reason (the cause says why)
     * @throws AssertionError     if proposals still fail after the last round
     */
    public static long awaitRetryingLost(List<CompletableFuture<byte[]>> futures, IntFunction<byte[]> commandI,
                                         Callable<RaftNode> leader, Duration wait) throws Exception {
        for (int round = 0; round < MAX_RETRY_ROUNDS; round++) {
            final List<Integer> lost = new ArrayList<>();
            for (int i = 0; i < futures.size(); i++) {
                try {
                    futures.get(i).get(wait.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof NotLeaderException || e.getCause() instanceof LeadershipLostException)) {
                        throw e;
                    }
                    lost.add(i);
                }
            }
            final RaftNode current = leader.call();
            if (lost.isEmpty()) {
                return current.metrics().committedIndex();
            }
            for (int i : lost) {
                futures.set(i, current.propose(commandI.apply(i)));
            }
        }
        throw new AssertionError("KvProposals: proposals kept failing after " + MAX_RETRY_ROUNDS
            + " rounds of re-proposing through the leader");
    }
}
