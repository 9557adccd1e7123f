package dev.raft.core.internal.engine.read;

import java.util.Arrays;

/** Follower requests for a read index that wait for one read round: (asker, request id) pairs, reused. */
final class RemoteReads {
    private int[] from = new int[8];
    private long[] requestIds = new long[8];
    private int size;

    void add(int asker, long requestId) {
        if (size == from.length) {
            from = Arrays.copyOf(from, size * 2);
            requestIds = Arrays.copyOf(requestIds, size * 2);
        }
        from[size] = asker;
        requestIds[size] = requestId;
        size++;
    }

    int size() {
        return size;
    }

    int from(int i) {
        return from[i];
    }

    long requestId(int i) {
        return requestIds[i];
    }

    void clear() {
        size = 0;
    }

    /** Moves every request of {@code other} here, leaving it empty. */
    void takeAll(RemoteReads other) {
        for (int i = 0; i < other.size; i++) {
            add(other.from[i], other.requestIds[i]);
        }
        other.clear();
    }
}
