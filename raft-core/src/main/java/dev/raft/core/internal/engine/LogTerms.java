package dev.raft.core.internal.engine;

import java.util.Arrays;

/**
 * The engine's IO-free view of its log: the term of every index, kept as runs of equal terms (terms
 * never decrease along a log, so a run list is as long as the number of distinct terms present, not
 * the number of entries). Answers {@code termAt}, the first and last index of a term (for the
 * conflict hints of fast back-tracking) and the log's bounds, without touching storage.
 *
 * <p>Holds the indexes {@code (purgedIndex, lastIndex]}; {@code termAt(purgedIndex)} answers the purged
 * term. Allocation-free except when the run arrays grow (once per doubling of distinct terms).
 */
public final class LogTerms {
    private long[] runTerm = new long[16];
    private long[] runStart = new long[16];
    private int runs;
    private long purgedIndex;
    private long purgedTerm;
    private long lastIndex;

    /** Resets to a log holding nothing after {@code (purgedTerm, purgedIndex)}. */
    public void reset(long purgedIndex, long purgedTerm) {
        this.purgedIndex = purgedIndex;
        this.purgedTerm = purgedTerm;
        this.lastIndex = purgedIndex;
        this.runs = 0;
    }

    /** The last index held (equal to {@link #purgedIndex()} when nothing is held). */
    public long lastIndex() {
        return lastIndex;
    }

    /** The term of the last index (the purged term when nothing is held). */
    public long lastTerm() {
        return runs == 0 ? purgedTerm : runTerm[runs - 1];
    }

    /** The index of the last purged entry (0 if none). */
    public long purgedIndex() {
        return purgedIndex;
    }

    /**
     * Records the entry {@code index} of {@code term}, which must be {@code lastIndex + 1}.
     *
     * @throws IllegalArgumentException naming both values if the index is not the next one or the term decreases
     */
    public void append(long term, long index) {
        if (index != lastIndex + 1) {
            throw new IllegalArgumentException("LogTerms.append: index " + index + " is not the next index "
                + (lastIndex + 1));
        }
        final long last = lastTerm();
        if (term < last) {
            throw new IllegalArgumentException("LogTerms.append: term " + term + " at index " + index
                + " is lower than the last term " + last);
        }
        if (runs == 0 || term != last) {
            if (runs == runTerm.length) {
                runTerm = Arrays.copyOf(runTerm, runs * 2);
                runStart = Arrays.copyOf(runStart, runs * 2);
            }
            runTerm[runs] = term;
            runStart[runs] = index;
            runs++;
        }
        lastIndex = index;
    }

    /**
     * Records the entries {@code [firstIndex, lastIndex]}, all of {@code term} ({@code firstIndex} must be
     * {@code lastIndex() + 1}). Used when loading a log from storage, one call per run of equal terms.
     */
    public void appendRun(long term, long firstIndex, long lastIndex) {
        if (lastIndex < firstIndex) {
            throw new IllegalArgumentException("LogTerms.appendRun: empty run [" + firstIndex + ", " + lastIndex + "]");
        }
        append(term, firstIndex);
        this.lastIndex = lastIndex;
    }

    /** Removes {@code index} and every later index ({@code purgedIndex < index <= lastIndex + 1}). */
    public void truncateFrom(long index) {
        if (index <= purgedIndex || index > lastIndex + 1) {
            throw new IllegalArgumentException("LogTerms.truncateFrom: index " + index + " not in ("
                + purgedIndex + ", " + (lastIndex + 1) + "]");
        }
        while (runs > 0 && runStart[runs - 1] >= index) {
            runs--;
        }
        lastIndex = index - 1;
    }

    /**
     * Forgets every index up to {@code index} (of {@code term}); beyond the end, the log becomes empty
     * after it. A no-op at or below the current purge point.
     */
    public void purgeUpTo(long index, long term) {
        if (index <= purgedIndex) {
            return;
        }
        if (index >= lastIndex) {
            reset(index, term);
            return;
        }
        final int holding = findRun(index);
        final int drop;
        if (holding + 1 < runs && runStart[holding + 1] == index + 1) {
            drop = holding + 1; // `index` ends its run: the next run is the first one kept
        } else {
            drop = holding; // the run holding `index` now starts just after it
            runStart[holding] = index + 1;
        }
        System.arraycopy(runTerm, drop, runTerm, 0, runs - drop);
        System.arraycopy(runStart, drop, runStart, 0, runs - drop);
        runs -= drop;
        purgedIndex = index;
        purgedTerm = term;
    }

    /** Whether {@code index} lies in {@code [purgedIndex, lastIndex]} (so that {@link #termAt} answers). */
    public boolean contains(long index) {
        return index >= purgedIndex && index <= lastIndex;
    }

    /**
     * The term at {@code index}: 0 for index 0, the purged term at the purge point.
     *
     * @throws IllegalArgumentException if {@code index} is outside {@code [purgedIndex, lastIndex]}
     */
    public long termAt(long index) {
        if (index == purgedIndex) {
            return purgedTerm;
        }
        if (index < purgedIndex || index > lastIndex) {
            throw new IllegalArgumentException("LogTerms.termAt: index " + index + " not in [" + purgedIndex + ", "
                + lastIndex + "]");
        }
        return runTerm[findRun(index)];
    }

    /** The first index held of the term at {@code index} (at least {@code purgedIndex + 1}). */
    public long firstIndexOfTermAt(long index) {
        if (index <= purgedIndex) {
            return purgedIndex + 1;
        }
        return runStart[findRun(index)];
    }

    /**
     * The last index held whose term is {@code term}, or -1 if no held index has that term.
     */
    public long lastIndexOfTerm(long term) {
        for (int r = runs - 1; r >= 0; r--) {
            if (runTerm[r] == term) {
                return r == runs - 1 ? lastIndex : runStart[r + 1] - 1;
            }
            if (runTerm[r] < term) {
                break;
            }
        }
        return term == purgedTerm && purgedIndex > 0 && (runs == 0 || runTerm[0] != term) ? purgedIndex : -1;
    }

    private int findRun(long index) {
        int lo = 0;
        int hi = runs - 1;
        while (lo < hi) {
            final int mid = (lo + hi + 1) >>> 1;
            if (runStart[mid] <= index) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder("LogTerms{purged=").append(purgedTerm).append('-').append(purgedIndex);
        for (int r = 0; r < runs; r++) {
            sb.append(", t").append(runTerm[r]).append('@').append(runStart[r]);
        }
        return sb.append(", last=").append(lastIndex).append('}').toString();
    }
}
