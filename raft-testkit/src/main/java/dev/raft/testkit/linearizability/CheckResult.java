package dev.raft.testkit.linearizability;

import java.time.Duration;
import java.util.List;

/**
 * What {@link LinearizabilityChecker#check} found: the verdict, and for a violation the partition
 * that has no linearization and a minimal failing sub-history of it.
 *
 * @param <I> the input type of the model
 * @param <O> the output type of the model
 */
public final class CheckResult<I, O> {

    private final Verdict verdict;
    private final Model<?, I, O> model;
    private final int partitionCount;
    private final int failingPartitionIndex;
    private final History<I, O> failingPartition;
    private final History<I, O> minimalFailingSubHistory;
    private final boolean shrinkComplete;
    private final long searchSteps;
    private final Duration elapsed;

    CheckResult(Verdict verdict, Model<?, I, O> model, int partitionCount, int failingPartitionIndex,
            History<I, O> failingPartition, History<I, O> minimalFailingSubHistory, boolean shrinkComplete,
            long searchSteps, Duration elapsed) {
        this.verdict = verdict;
        this.model = model;
        this.partitionCount = partitionCount;
        this.failingPartitionIndex = failingPartitionIndex;
        this.failingPartition = failingPartition;
        this.minimalFailingSubHistory = minimalFailingSubHistory;
        this.shrinkComplete = shrinkComplete;
        this.searchSteps = searchSteps;
        this.elapsed = elapsed;
    }

    /**
     * The verdict.
     *
     * @return linearizable, not linearizable, or unknown (budget exhausted)
     */
    public Verdict verdict() {
        return verdict;
    }

    /**
     * Whether the history was proven linearizable.
     *
     * @return {@code true} for {@link Verdict#LINEARIZABLE}
     */
    public boolean isLinearizable() {
        return verdict == Verdict.LINEARIZABLE;
    }

    /**
     * How many independent partitions the model split the history into.
     *
     * @return the number of partitions
     */
    public int partitionCount() {
        return partitionCount;
    }

    /**
     * The position, in the model's partition order, of the partition that has no linearization.
     *
     * @return the index, or -1 unless the verdict is {@link Verdict#NOT_LINEARIZABLE}
     */
    public int failingPartitionIndex() {
        return failingPartitionIndex;
    }

    /**
     * The whole partition that has no linearization.
     *
     * @return the partition; empty unless the verdict is {@link Verdict#NOT_LINEARIZABLE}
     */
    public List<Operation<I, O>> failingPartition() {
        return failingPartition.operations();
    }

    /**
     * A sub-history of the failing partition that is itself not linearizable and from which no
     * operation can be removed: each is needed for its outcome (forgetting it, that is making the
     * operation one that never returned, makes the rest linearizable) or for its effect (without
     * it the violation would become another one: an earlier one, or a read of a value nobody
     * wrote). The violation is revealed by the operation(s) that return last. Operations keep
     * their ids, clients and call times; an operation that returned only after the violation was
     * revealed is given as pending, its outcome playing no part in it. When the shrink budget ran
     * out first the sub-history is smaller than the partition but perhaps not minimal; see
     * {@link #shrinkComplete()}.
     *
     * @return the sub-history; empty unless the verdict is {@link Verdict#NOT_LINEARIZABLE}
     */
    public List<Operation<I, O>> minimalFailingSubHistory() {
        return minimalFailingSubHistory.operations();
    }

    /**
     * Whether the failing sub-history was shrunk to minimality within the shrink budget.
     *
     * @return {@code true} if every operation of {@link #minimalFailingSubHistory()} was shown to matter
     */
    public boolean shrinkComplete() {
        return shrinkComplete;
    }

    /**
     * The number of search steps taken by the check (not counting the shrink).
     *
     * @return the steps
     */
    public long searchSteps() {
        return searchSteps;
    }

    /**
     * Wall-clock time of the check, shrink included.
     *
     * @return the duration
     */
    public Duration elapsed() {
        return elapsed;
    }

    /**
     * A readable report: the verdict and, for a violation, the minimal failing sub-history as a
     * table of operations.
     *
     * @return the report
     */
    public String report() {
        StringBuilder out = new StringBuilder(256);
        out.append(verdict).append(" (").append(partitionCount).append(partitionCount == 1 ? " partition, " : " partitions, ")
                .append(searchSteps)
                .append(" search steps, ").append(elapsed.toMillis()).append(" ms)");
        switch (verdict) {
            case LINEARIZABLE -> {
            }
            case UNKNOWN -> out.append(": the search budget ran out before every partition was decided");
            case NOT_LINEARIZABLE -> {
                out.append(": partition ").append(failingPartitionIndex).append(" (")
                        .append(failingPartition.size()).append(" operations) has no linearization.")
                        .append(System.lineSeparator())
                        .append(shrinkComplete ? "Minimal failing sub-history" : "Failing sub-history")
                        .append(" (").append(minimalFailingSubHistory.size()).append(" operations; ")
                        .append(shrinkComplete ? "each needed for its outcome or its effect):"
                                : "the shrink budget ran out before it was minimal):")
                        .append(System.lineSeparator())
                        .append(minimalFailingSubHistory.render(model, this::outcomeNote));
            }
            default -> throw new IllegalStateException("unknown verdict " + verdict);
        }
        return out.toString();
    }

    /** For an operation shown pending that did return: what it returned, and that it does not matter. */
    private String outcomeNote(Operation<I, O> shown) {
        if (!shown.isPending()) {
            return "";
        }
        for (Operation<I, O> original : failingPartition.operations()) {
            if (original.id() == shown.id() && !original.isPending()) {
                return "   (outcome not needed; returned at " + original.returnTime() + ": "
                        + model.describe(original.input(), original.output()) + ")";
            }
        }
        return "";
    }

    @Override
    public String toString() {
        return report();
    }
}
