package dev.raft.core.internal.runtime;

import dev.raft.api.service.OutcomeListener;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;
import org.agrona.collections.LongArrayQueue;

/**
 * The proposals of the current leadership waiting for their entry to be applied: a growable ring of
 * (log index, waiter) in increasing index order, where the waiter is a future ({@code RaftNode.propose}) or an
 * {@link OutcomeListener} with its correlation (a service's {@code NodeContext.propose}). Outcomes are staged ({@link #applied}, {@link #failAll})
 * and the futures completed later by {@link #completeStaged()}, so that the node completes them outside the
 * transport poll. Node thread only; allocation-free once grown (failures allocate their errors).
 */
final class PendingProposals {
    private long[] indexes = new long[1024];
    private Object[] futures = new Object[1024];
    private long[] correlations = new long[1024];
    private Object[] responses = new Object[1024];
    /** How many proposals from the head have their entry applied and wait for {@link #completeApplied()}. */
    private int staged;
    private int head;
    private int size;
    /** Proposals whose outcome is a failure, with their errors, waiting for {@link #completeStaged()}. */
    private final ArrayDeque<Object> failing = new ArrayDeque<>();
    private final LongArrayQueue failingCorrelations = new LongArrayQueue(16, Long.MIN_VALUE);
    private final ArrayDeque<RuntimeException> failures = new ArrayDeque<>();

    int size() {
        return size;
    }

    void add(long index, CompletableFuture<byte[]> future) {
        add(index, future, 0);
    }

    void add(long index, OutcomeListener listener, long correlation) {
        add(index, (Object) listener, correlation);
    }

    private void add(long index, Object waiter, long correlation) {
        if (size == indexes.length) {
            grow();
        }
        final int slot = (head + size) & (indexes.length - 1);
        indexes[slot] = index;
        futures[slot] = waiter;
        correlations[slot] = correlation;
        size++;
    }

    /**
     * The entry {@code index} was applied with {@code response}: stages the response of its proposal, if
     * it has one here, for {@link #completeApplied()}.
     */
    void applied(long index, byte[] response) {
        for (int i = staged; i < size; i++) {
            final int slot = (head + i) & (indexes.length - 1);
            if (indexes[slot] > index) {
                return;
            }
            responses[slot] = indexes[slot] == index ? response : null;
            staged = i + 1;
        }
    }

    /**
     * Completes every proposal whose entry was applied (after the node published its metrics), then those
     * staged as failed.
     */
    @SuppressWarnings("unchecked")
    void completeStaged() {
        while (staged > 0) {
            final Object waiter = futures[head];
            final long correlation = correlations[head];
            final byte[] response = (byte[]) responses[head];
            futures[head] = null;
            responses[head] = null;
            head = (head + 1) & (indexes.length - 1);
            size--;
            staged--;
            if (waiter instanceof OutcomeListener listener) {
                listener.onResult(correlation, response);
            } else {
                ((CompletableFuture<byte[]>) waiter).complete(response);
            }
        }
        Object waiter;
        while ((waiter = failing.poll()) != null) {
            final long correlation = failingCorrelations.pollLong();
            final RuntimeException error = failures.poll();
            if (waiter instanceof OutcomeListener listener) {
                listener.onError(correlation, error);
            } else {
                ((CompletableFuture<byte[]>) waiter).completeExceptionally(error);
            }
        }
    }

    /** Whether any outcome waits for {@link #completeStaged()}. */
    boolean hasStaged() {
        return staged > 0 || !failing.isEmpty();
    }

    /**
     * Stages a failure for every pending proposal whose entry was not applied, with the error made for its
     * index; {@link #completeStaged()} completes them.
     */
    void failAll(LongFunction<? extends RuntimeException> error) {
        for (int i = staged; i < size; i++) {
            final int slot = (head + i) & (indexes.length - 1);
            failing.addLast(futures[slot]);
            failingCorrelations.addLong(correlations[slot]);
            failures.addLast(error.apply(indexes[slot]));
            futures[slot] = null;
            responses[slot] = null;
        }
        size = staged;
    }

    private void grow() {
        final long[] newIndexes = new long[indexes.length * 2];
        final Object[] newFutures = new Object[indexes.length * 2];
        final long[] newCorrelations = new long[indexes.length * 2];
        final Object[] newResponses = new Object[indexes.length * 2];
        for (int i = 0; i < size; i++) {
            final int slot = (head + i) & (indexes.length - 1);
            newIndexes[i] = indexes[slot];
            newFutures[i] = futures[slot];
            newCorrelations[i] = correlations[slot];
            newResponses[i] = responses[slot];
        }
        Arrays.fill(futures, null);
        indexes = newIndexes;
        futures = newFutures;
        correlations = newCorrelations;
        responses = newResponses;
        head = 0;
    }
}
