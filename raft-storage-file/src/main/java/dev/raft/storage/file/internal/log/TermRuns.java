package dev.raft.storage.file.internal.log;

import java.util.Arrays;

/**
 * The terms of the log's entries as runs: the first index of each term. Terms change rarely, so this is
 * small, and {@link #termAt} is a binary search. Owned by the writer thread.
 */
final class TermRuns {
    private long[] starts = new long[16];
    private long[] terms = new long[16];
    private int size;

    /** Records that entry {@code index} (the next one) has {@code term}. */
    void append(long index, long term) {
        if (size > 0 && terms[size - 1] == term) {
            return;
        }
        if (size == starts.length) {
            starts = Arrays.copyOf(starts, size * 2);
            terms = Arrays.copyOf(terms, size * 2);
        }
        starts[size] = index;
        terms[size] = term;
        size++;
    }

    /** The term of entry {@code index}, which must be held. */
    long termAt(long index) {
        int lo = 0;
        int hi = size - 1;
        while (lo < hi) {
            final int mid = (lo + hi + 1) >>> 1;
            if (starts[mid] <= index) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return terms[lo];
    }

    /** Forgets entries from {@code index} on. */
    void truncateFrom(long index) {
        while (size > 0 && starts[size - 1] >= index) {
            size--;
        }
    }

    /** Forgets runs that hold only entries up to {@code index}. */
    void purgeTo(long index) {
        int keepFrom = 0;
        while (keepFrom + 1 < size && starts[keepFrom + 1] <= index + 1) {
            keepFrom++;
        }
        if (keepFrom > 0) {
            System.arraycopy(starts, keepFrom, starts, 0, size - keepFrom);
            System.arraycopy(terms, keepFrom, terms, 0, size - keepFrom);
            size -= keepFrom;
        }
    }

    /** Forgets everything. */
    void clear() {
        size = 0;
    }
}
