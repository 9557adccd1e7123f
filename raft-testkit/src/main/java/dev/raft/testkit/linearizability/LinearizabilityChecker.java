package dev.raft.testkit.linearizability;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Checks histories for linearizability against a {@link Model}.
 *
 * <p>The history is split into the model's independent partitions and each partition is searched
 * with the Wing–Gong algorithm with Lowe's and Porcupine's optimizations (a linked list of call
 * and return events, memoized (linearized set, state) configurations), extended so that many
 * operations that never returned do not blow the search up (configurations that differ only in
 * such operations subsume one another, and two candidate orders run side by side). An operation
 * that never returned may take effect at any point after its call, or never. The search is
 * bounded by a timeout and a step limit; a check that runs out of budget answers
 * {@link Verdict#UNKNOWN}.
 *
 * <p>On a violation the failing partition is shrunk within a separate budget to a small
 * sub-history that shows the violation: cut at the earliest return that reveals it, then stripped
 * of every operation whose outcome is not needed (see {@link CheckResult#minimalFailingSubHistory()}).
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param <S> the model's state type
 * @param <I> the model's input type
 * @param <O> the model's output type
 */
public final class LinearizabilityChecker<S, I, O> {

    /** Default wall-clock bound of a check. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    /** Default wall-clock bound of shrinking a violation. */
    public static final Duration DEFAULT_SHRINK_TIMEOUT = Duration.ofSeconds(10);

    /** Each search of the shrink may take this many steps, or four times the failing search's, if more. */
    private static final long MIN_STEPS_PER_SHRINK_SEARCH = 100_000;

    private final Model<S, I, O> model;
    private final Duration timeout;
    private final long stepLimit;
    private final Duration shrinkTimeout;
    private final long shrinkStepLimit;

    private LinearizabilityChecker(Model<S, I, O> model, Duration timeout, long stepLimit, Duration shrinkTimeout,
            long shrinkStepLimit) {
        this.model = model;
        this.timeout = timeout;
        this.stepLimit = stepLimit;
        this.shrinkTimeout = shrinkTimeout;
        this.shrinkStepLimit = shrinkStepLimit;
    }

    /**
     * A checker for the model, with {@link #DEFAULT_TIMEOUT}, {@link #DEFAULT_SHRINK_TIMEOUT} and
     * no step limits.
     *
     * @param model the sequential specification
     * @param <S> state type
     * @param <I> input type
     * @param <O> output type
     * @return the checker
     */
    public static <S, I, O> LinearizabilityChecker<S, I, O> forModel(Model<S, I, O> model) {
        return new LinearizabilityChecker<>(Objects.requireNonNull(model, "model"), DEFAULT_TIMEOUT, Long.MAX_VALUE,
                DEFAULT_SHRINK_TIMEOUT, Long.MAX_VALUE);
    }

    /**
     * This checker with another wall-clock bound on the search.
     *
     * @param timeout a positive duration
     * @return a new checker
     */
    public LinearizabilityChecker<S, I, O> withTimeout(Duration timeout) {
        return new LinearizabilityChecker<>(model, positive("timeout", timeout), stepLimit, shrinkTimeout,
                shrinkStepLimit);
    }

    /**
     * This checker with a bound on the number of search steps (deterministic, unlike a timeout).
     *
     * @param steps at least 1
     * @return a new checker
     */
    public LinearizabilityChecker<S, I, O> withStepLimit(long steps) {
        return new LinearizabilityChecker<>(model, timeout, atLeastOne("stepLimit", steps), shrinkTimeout,
                shrinkStepLimit);
    }

    /**
     * This checker with other bounds on shrinking a violation.
     *
     * @param timeout a positive duration
     * @param steps total search steps of the shrink, at least 1
     * @return a new checker
     */
    public LinearizabilityChecker<S, I, O> withShrinkBudget(Duration timeout, long steps) {
        return new LinearizabilityChecker<>(model, this.timeout, stepLimit, positive("shrinkTimeout", timeout),
                atLeastOne("shrinkStepLimit", steps));
    }

    /**
     * Checks the history.
     *
     * @param history the history
     * @return the verdict and, for a violation, a minimal failing sub-history
     * @throws IllegalStateException if the model's partition loses or duplicates operations
     */
    public CheckResult<I, O> check(History<I, O> history) {
        long start = System.nanoTime();
        List<List<Operation<I, O>>> partitions = model.partition(history.operations());
        checkPartitionCovers(history, partitions);
        SearchBudget budget = new SearchBudget(timeout, stepLimit);
        boolean unknown = false;
        for (int i = 0; i < partitions.size(); i++) {
            List<Operation<I, O>> partition = partitions.get(i);
            long stepsBefore = budget.steps();
            WingGongSearch.Outcome outcome = WingGongSearch.search(model, partition, budget);
            if (outcome == WingGongSearch.Outcome.UNKNOWN) {
                unknown = true;
                break;
            }
            if (outcome == WingGongSearch.Outcome.NOT_LINEARIZABLE) {
                SearchBudget shrinkBudget = new SearchBudget(shrinkTimeout, shrinkStepLimit);
                long stepsPerSearch = Math.max(MIN_STEPS_PER_SHRINK_SEARCH, 4 * (budget.steps() - stepsBefore));
                Shrinker<S, I, O> shrinker = new Shrinker<>(model, shrinkBudget, stepsPerSearch);
                List<Operation<I, O>> minimal = shrinker.shrink(partition);
                return new CheckResult<>(Verdict.NOT_LINEARIZABLE, model, partitions.size(), i,
                        new History<>(partition), new History<>(minimal), shrinker.complete(), budget.steps(),
                        Duration.ofNanos(System.nanoTime() - start));
            }
        }
        History<I, O> none = new History<>(List.of());
        return new CheckResult<>(unknown ? Verdict.UNKNOWN : Verdict.LINEARIZABLE, model, partitions.size(), -1,
                none, none, true, budget.steps(), Duration.ofNanos(System.nanoTime() - start));
    }

    private void checkPartitionCovers(History<I, O> history, List<List<Operation<I, O>>> partitions) {
        Set<Integer> seen = new HashSet<>();
        for (List<Operation<I, O>> partition : partitions) {
            for (Operation<I, O> op : partition) {
                if (!seen.add(op.id())) {
                    throw new IllegalStateException("model " + model.getClass().getName()
                            + ": partition puts operation " + op.id() + " in two partitions");
                }
            }
        }
        if (seen.size() != history.size()) {
            throw new IllegalStateException("model " + model.getClass().getName() + ": partitions hold "
                    + seen.size() + " operations but the history has " + history.size());
        }
    }

    private static Duration positive(String field, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(field + " must be a positive duration, got " + value);
        }
        return value;
    }

    private static long atLeastOne(String field, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(field + " must be at least 1, got " + value);
        }
        return value;
    }
}
