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

    private SearchBudget(long deadlineNanos, long stepLimit, boolean unused) {
        this.deadlineNanos = deadlineNanos;
        this.stepLimit = stepLimit;
    }

    /** A budget of at most {@code maxSteps} of this one's remaining steps, with the same deadline. */
    SearchBudget child(long maxSteps) {
        return new SearchBudget(deadlineNanos, Math.min(maxSteps, Math.max(0, stepLimit - steps)), false);
    }

    /** Counts the steps a child budget used; exhausts this budget if they or the deadline are used up. */
    void charge(SearchBudget child) {
        steps += child.steps;
        if (steps >= stepLimit || (deadlineNanos != Long.MAX_VALUE && System.nanoTime() - deadlineNanos > 0)) {
            exhausted = true;
        }
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
