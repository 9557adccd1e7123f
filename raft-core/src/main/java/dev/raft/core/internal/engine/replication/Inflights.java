package dev.raft.core.internal.engine.replication;

/**
 * The AppendEntries in flight to one follower (after etcd-raft's {@code tracker/inflights.go}): the last
 * index and payload bytes of each, in send order, in a bounded ring. The window is full when it holds
 * {@code maxMessages} messages or {@code maxBytes} payload bytes. An acknowledgement of index {@code m}
 * frees every message whose last index is {@code <= m}, so coalesced acknowledgements free several at once.
 * Allocation-free.
 */
final class Inflights {
    private final long[] lastIndexes;
    private final int[] sizes;
    private final long maxBytes;
    private int start;
    private int count;
    private long bytes;

    Inflights(int maxMessages, long maxBytes) {
        this.lastIndexes = new long[maxMessages];
        this.sizes = new int[maxMessages];
        this.maxBytes = maxBytes;
    }

    /** Whether no further message may be sent: the message or the byte bound is reached. */
    boolean isFull() {
        return count == lastIndexes.length || bytes >= maxBytes;
    }

    int count() {
        return count;
    }

    long bytes() {
        return bytes;
    }

    /** Records a message carrying entries up to {@code lastIndex} and {@code payloadBytes} bytes. */
    void add(long lastIndex, int payloadBytes) {
        if (count == lastIndexes.length) {
            throw new IllegalStateException("Inflights.add: window of " + lastIndexes.length + " is full");
        }
        final int slot = (start + count) % lastIndexes.length;
        lastIndexes[slot] = lastIndex;
        sizes[slot] = payloadBytes;
        bytes += payloadBytes;
        count++;
    }

    /** Frees every message whose last index is {@code <= index}. */
    void freeUpTo(long index) {
        while (count > 0 && lastIndexes[start] <= index) {
            bytes -= sizes[start];
            start = (start + 1) % lastIndexes.length;
            count--;
        }
    }

    void clear() {
        start = 0;
        count = 0;
        bytes = 0;
    }
}
