package dev.raft.core.internal.runtime;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;

/**
 * The proposals of the current leadership waiting for their entry to be applied: a growable ring of
 * (log index, future) in increasing index order. Node thread only; allocation-free once grown.
 */
final class PendingProposals {
    private long[] indexes = new long[1024];
    private Object[] futures = new Object[1024];
    private int head;
    private int size;

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

    /** The entry {@code index} was applied with {@code response}: completes its proposal, if it has one here. */
    @SuppressWarnings("unchecked")
    void applied(long index, byte[] response) {
        while (size > 0 && indexes[head] <= index) {
            final CompletableFuture<byte[]> future = (CompletableFuture<byte[]>) futures[head];
            final boolean mine = indexes[head] == index;
            futures[head] = null;
            head = (head + 1) & (indexes.length - 1);
            size--;
            if (mine) {
                future.complete(response);
            } else {
                future.completeExceptionally(new IllegalStateException("entry " + index + " applied before the proposal"
                    + " registered for an earlier index"));
            }
        }
    }

    /** Fails every pending proposal with the error made for its index. */
    @SuppressWarnings("unchecked")
    void failAll(LongFunction<? extends Throwable> error) {
        while (size > 0) {
            final CompletableFuture<byte[]> future = (CompletableFuture<byte[]>) futures[head];
            final long index = indexes[head];
            futures[head] = null;
            head = (head + 1) & (indexes.length - 1);
            size--;
            future.completeExceptionally(error.apply(index));
        }
    }

    private void grow() {
        final long[] newIndexes = new long[indexes.length * 2];
        final Object[] newFutures = new Object[indexes.length * 2];
        for (int i = 0; i < size; i++) {
            final int slot = (head + i) & (indexes.length - 1);
            newIndexes[i] = indexes[slot];
            newFutures[i] = futures[slot];
        }
        Arrays.fill(futures, null);
        indexes = newIndexes;
        futures = newFutures;
        head = 0;
    }
}
