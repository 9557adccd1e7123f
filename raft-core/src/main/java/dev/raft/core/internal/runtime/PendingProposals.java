package dev.raft.core.internal.runtime;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;

/**
 * The proposals of the current leadership waiting for their entry to be applied: a growable ring of
 * (log index, future) in increasing index order. Outcomes are staged ({@link #applied}, {@link #failAll})
 * and the futures completed later by {@link #completeStaged()}, so that the node completes them outside the
 * transport poll. Node thread only; allocation-free once grown (failures allocate their errors).
 */
final class PendingProposals {
    private long[] indexes = new long[1024];
    private Object[] futures = new Object[1024];
    private Object[] responses = new Object[1024];
    /** How many proposals from the head have their entry applied and wait for {@link #completeApplied()}. */
    private int staged;
    private int head;
    private int size;
    /** Proposals whose outcome is a failure, with their errors, waiting for {@link #completeStaged()}. */
    private final ArrayDeque<CompletableFuture<byte[]>> failing = new ArrayDeque<>();
    private final ArrayDeque<Throwable> failures = new ArrayDeque<>();

    int size() {
        return size;
    }

    void add(long index, CompletableFuture<byte[]> future) {
        if (size == indexes.length) {
            grow();
        }
        final int slot = (head + size) & (indexes.length - 1);
        indexes[slot] = index;
        futures[slot] = future;
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
            final CompletableFuture<byte[]> future = (CompletableFuture<byte[]>) futures[head];
            final byte[] response = (byte[]) responses[head];
            futures[head] = null;
            responses[head] = null;
            head = (head + 1) & (indexes.length - 1);
            size--;
            staged--;
            future.complete(response);
        }
        CompletableFuture<byte[]> future;
        while ((future = failing.poll()) != null) {
            future.completeExceptionally(failures.poll());
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
    @SuppressWarnings("unchecked")
    void failAll(LongFunction<? extends Throwable> error) {
        while (size > staged) {
            final int slot = (head + size - 1) & (indexes.length - 1);
            failing.addFirst((CompletableFuture<byte[]>) futures[slot]);
            failures.addFirst(error.apply(indexes[slot]));
            futures[slot] = null;
            responses[slot] = null;
            size--;
        }
    }

    private void grow() {
        final long[] newIndexes = new long[indexes.length * 2];
        final Object[] newFutures = new Object[indexes.length * 2];
        final Object[] newResponses = new Object[indexes.length * 2];
        for (int i = 0; i < size; i++) {
            final int slot = (head + i) & (indexes.length - 1);
            newIndexes[i] = indexes[slot];
            newFutures[i] = futures[slot];
            newResponses[i] = responses[slot];
        }
        Arrays.fill(futures, null);
        indexes = newIndexes;
        futures = newFutures;
        responses = newResponses;
        head = 0;
    }
}
