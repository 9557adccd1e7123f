package dev.raft.examples;

import dev.raft.examples.kv.KvResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * Submits the demo's commands through whichever node leads, a window of them in flight. A command whose future
 * fails (its leader lost the leadership, or was closed) is submitted again through the leader known then, at most
 * {@link #MAX_ATTEMPTS} times in all: the demo's commands (puts of fixed values, gets) are idempotent, so a
 * command applied before its leader stepped down and applied again changes nothing.
 */
final class LeaderPipeline {
    /** The most submissions of one command. */
    static final int MAX_ATTEMPTS = 5;

    /** Where a command is proposed: a node's {@code submit}. */
    @FunctionalInterface
    interface Target {
        CompletableFuture<KvResult> submit(byte[] command);
    }

    /** The current leader, waiting (boundedly) until one is known. */
    @FunctionalInterface
    interface LeaderFinder {
        Target await() throws Exception;
    }

    private final LeaderFinder leader;
    private final int window;
    private final long timeoutMillis;
    private int resubmitted;

    LeaderPipeline(LeaderFinder leader, int window, long timeoutMillis) {
        this.leader = leader;
        this.window = window;
        this.timeoutMillis = timeoutMillis;
    }

    /** Commands submitted again after a failure so far. */
    int resubmitted() {
        return resubmitted;
    }

    /**
     * Runs every command, at most {@code window} in flight; returns their results in order, telling
     * {@code completed} the index of each as it completes.
     *
     * @throws ExecutionException the last failure of a command that failed {@link #MAX_ATTEMPTS} times
     * @throws java.util.concurrent.TimeoutException a command without an answer within the timeout
     */
    List<KvResult> run(List<byte[]> commands, IntConsumer completed) throws Exception {
        final KvResult[] results = new KvResult[commands.size()];
        final ArrayDeque<Integer> order = new ArrayDeque<>();
        final List<CompletableFuture<KvResult>> futures = new ArrayList<>(commands.size());
        Target target = leader.await();
        for (int i = 0; i < commands.size(); i++) {
            if (order.size() == window) {
                target = complete(order.poll(), commands, futures, results, target, completed);
            }
            futures.add(target.submit(commands.get(i)));
            order.add(i);
        }
        while (!order.isEmpty()) {
            target = complete(order.poll(), commands, futures, results, target, completed);
        }
        return Arrays.asList(results);
    }

    /** Waits for command {@code i}, submitting it again through the then leader if it fails; returns the target. */
    private Target complete(int i, List<byte[]> commands, List<CompletableFuture<KvResult>> futures,
                            KvResult[] results, Target target, IntConsumer completed) throws Exception {
        Target current = target;
        for (int attempt = 1; ; attempt++) {
            try {
                results[i] = futures.get(i).get(timeoutMillis, TimeUnit.MILLISECONDS);
                completed.accept(i);
                return current;
            } catch (ExecutionException e) {
                if (attempt == MAX_ATTEMPTS) {
                    throw e;
                }
                current = leader.await();
                resubmitted++;
                futures.set(i, current.submit(commands.get(i)));
            }
        }
    }
}
