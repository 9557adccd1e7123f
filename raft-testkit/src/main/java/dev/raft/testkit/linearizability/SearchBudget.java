package dev.raft.testkit.linearizability;

import java.time.Duration;

/** A bound on search work: a number of steps and a wall-clock deadline, whichever comes first. */
final class SearchBudget {

    private static final int CLOCK_CHECK_INTERVAL = 1024;

    private final long deadlineNanos;
    private final long stepLimit;
    private long steps;
    private boolean exhausted;

    SearchBudget(Duration timeout, long stepLimit) {
        long now = System.nanoTime();
        long timeoutNanos = timeout.toNanos();
        this.deadlineNanos = timeoutNanos >= Long.MAX_VALUE - now ? Long.MAX_VALUE : now + timeoutNanos;
        this.stepLimit = stepLimit;
    }

    /** Counts one step; returns true once the budget is exhausted (and from then on). */
    boolean step() {
        if (exhausted) {
            return true;
        }
        steps++;
        if (steps > stepLimit
                || (steps % CLOCK_CHECK_INTERVAL == 0 && deadlineNanos != Long.MAX_VALUE
                        && System.nanoTime() - deadlineNanos > 0)) {
            exhausted = true;
        }
        return exhausted;
    }

    boolean exhausted() {
        return exhausted;
    }

    long steps() {
        return steps;
    }
}
