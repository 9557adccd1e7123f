package dev.raft.core.internal.engine;

/**
 * The AppendEntries in flight to one follower, as the last index each one carries, in send order: a
 * bounded ring (the pipelining window). An acknowledgement of index {@code m} frees every message whose
 * last index is {@code <= m}, so coalesced acknowledgements free several at once. Allocation-free.
 */
final class Inflights {
    private final long[] lastIndexes;
    private int start;
    private int count;

    Inflights(int capacity) {
        lastIndexes = new long[capacity];
    }

    boolean isFull() {
        return count == lastIndexes.length;
    }

    int count() {
        return count;
    }

    int capacity() {
        return lastIndexes.length;
    }

    void add(long lastIndex) {
        if (isFull()) {
            throw new IllegalStateException("Inflights.add: window of " + lastIndexes.length + " is full");
        }
        lastIndexes[(start + count) % lastIndexes.length] = lastIndex;
        count++;
    }

    /** Frees every message whose last index is {@code <= index}. */
    void freeUpTo(long index) {
        while (count > 0 && lastIndexes[start] <= index) {
            start = (start + 1) % lastIndexes.length;
            count--;
        }
    }

    void clear() {
        start = 0;
        count = 0;
    }
}
