package dev.raft.core.internal.runtime;

import dev.raft.api.service.OutcomeListener;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.LongArrayQueue;

/**
 * The proposals of the current leadership waiting for their entry to be applied: a growable ring of
 * (log index, waiter) in increasing index order, where the waiter is a future ({@code RaftNode.propose}) or an
 * {@link OutcomeListener} with its correlation (a service's {@code NodeContext.propose}). The state machine writes
 * each waiter's response into that waiter's slot buffer ({@link #responseBuffer}); outcomes are staged
 * ({@link #applied}, {@link #failAll}) and completed later by {@link #completeStaged()}, so that the node completes
 * them outside the transport poll. Node thread only; allocation-free once grown, for listeners (a future gets an
 * array of its response; failures allocate their errors).
 */
final class PendingProposals {
    /** A slot buffer that grew past this is dropped once its outcome is delivered (one huge answer keeps no memory). */
    private static final int KEPT_BUFFER_BYTES = 64 * 1024;
    private static final int FIRST_BUFFER_BYTES = 128;

    private long[] indexes = new long[1024];
    private Object[] futures = new Object[1024];
    private long[] correlations = new long[1024];
    private ExpandableArrayBuffer[] responses = new ExpandableArrayBuffer[1024];
    /** The response's length in its slot buffer; -1: none. */
    private int[] responseLengths = new int[1024];
    /** How many proposals from the head have their entry applied and wait for {@link #completeStaged()}. */
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
     * The buffer the state machine writes entry {@code index}'s response into, from offset 0, when a proposal here
     * waits for that entry; null when none does (the entry was proposed elsewhere).
     */
    MutableDirectBuffer responseBuffer(long index) {
        for (int i = staged; i < size; i++) {
            final int slot = (head + i) & (indexes.length - 1);
            if (indexes[slot] >= index) {
                if (indexes[slot] > index) {
                    return null;
                }
                ExpandableArrayBuffer buffer = responses[slot];
                if (buffer == null) {
                    buffer = new ExpandableArrayBuffer(FIRST_BUFFER_BYTES);
                    responses[slot] = buffer;
                }
                return buffer;
            }
        }
        return null;
    }

    /**
     * The entry {@code index} was applied, its response {@code length} bytes of its {@link #responseBuffer} (-1:
     * none): stages the outcome of its proposal, if it has one here, for {@link #completeStaged()}.
     */
    void applied(long index, int length) {
        for (int i = staged; i < size; i++) {
            final int slot = (head + i) & (indexes.length - 1);
            if (indexes[slot] > index) {
                return;
            }
            responseLengths[slot] = indexes[slot] == index ? length : -1;
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
            final int slot = head;
            final Object waiter = futures[slot];
            final long correlation = correlations[slot];
            final int length = responseLengths[slot];
            final ExpandableArrayBuffer response = responses[slot];
            futures[slot] = null;
            head = (head + 1) & (indexes.length - 1);
            size--;
            staged--;
            if (waiter instanceof OutcomeListener listener) {
                listener.onResult(correlation, response, 0, length);
            } else {
                ((CompletableFuture<byte[]>) waiter).complete(length < 0 ? null : copy(response, length));
            }
            if (response != null && response.capacity() > KEPT_BUFFER_BYTES) {
                responses[slot] = null;
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

    private static byte[] copy(ExpandableArrayBuffer buffer, int length) {
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        return bytes;
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
        }
        size = staged;
    }

    private void grow() {
        final int n = indexes.length * 2;
        final long[] newIndexes = new long[n];
        final Object[] newFutures = new Object[n];
        final long[] newCorrelations = new long[n];
        final ExpandableArrayBuffer[] newResponses = new ExpandableArrayBuffer[n];
        final int[] newLengths = new int[n];
        for (int i = 0; i < indexes.length; i++) { // every slot: the buffers of free slots are kept for reuse too
            final int slot = (head + i) & (indexes.length - 1);
            newIndexes[i] = indexes[slot];
            newFutures[i] = futures[slot];
            newCorrelations[i] = correlations[slot];
            newResponses[i] = responses[slot];
            newLengths[i] = responseLengths[slot];
        }
        Arrays.fill(futures, null);
        indexes = newIndexes;
        futures = newFutures;
        correlations = newCorrelations;
        responses = newResponses;
        responseLengths = newLengths;
        head = 0;
    }
}
