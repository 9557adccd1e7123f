package dev.raft.testkit.linearizability;

import java.util.ArrayList;
import java.util.List;

/**
 * Shrinks a partition that has no linearization to a small sub-history that shows the violation.
 *
 * <p>Two facts make removals sound: forgetting the outcome of an operation (making it pending)
 * only relaxes a history, and a pending operation never causes a violation; so if the history is
 * still not linearizable with the outcomes of a set of operations forgotten, it is still not
 * linearizable without them. The shrink:
 * <ol>
 * <li>cuts the partition at the earliest return time {@code t} at which the history as observed
 *     at {@code t} (operations called later absent, operations returning later pending) is not
 *     linearizable, by binary search; the operations returning at {@code t} are the ones whose
 *     outcome reveals the violation;
 * <li>removes chunks of up to {@value #FIRST_CHUNK} operations, then single ones, while (a) with
 *     their outcomes forgotten the rest is still not linearizable, (b) without them the history
 *     observed just before {@code t} is still linearizable, so no earlier violation appears, and
 *     (c) if the violation is one of order (the revealing operations would be fine had they been
 *     called earlier, as with a stale read), that stays so without them, so that removing the
 *     write of a value cannot turn a stale read into a read of a value nobody wrote.
 * </ol>
 * Each search is capped so that one hard search cannot use up the whole budget; a capped search
 * counts as "cannot remove".
 */
final class Shrinker<S, I, O> {

    /**
     * Largest chunk tried. Forgetting the outcomes of many operations at once makes the search that
     * must prove the rest still fails slow (pending operations widen it), so chunks stay small.
     */
    private static final int FIRST_CHUNK = 8;

    private final Model<S, I, O> model;
    private final SearchBudget budget;
    private final long stepsPerSearch;
    private boolean complete = true;

    Shrinker(Model<S, I, O> model, SearchBudget budget, long stepsPerSearch) {
        this.model = model;
        this.budget = budget;
        this.stepsPerSearch = stepsPerSearch;
    }

    List<Operation<I, O>> shrink(List<Operation<I, O>> partition) {
        long[] returnTimes = partition.stream().filter(op -> !op.isPending()).mapToLong(Operation::returnTime)
                .distinct().sorted().toArray();
        if (returnTimes.length == 0) {
            return partition;
        }
        // Observed at the last return the partition is not linearizable (the pending operations it
        // leaves out never cause a violation).
        int lo = 0;
        int hi = returnTimes.length - 1;
        while (lo < hi && !budget.exhausted()) {
            int mid = (lo + hi) >>> 1;
            WingGongSearch.Outcome outcome = search(observedAt(partition, returnTimes[mid]));
            if (outcome == WingGongSearch.Outcome.NOT_LINEARIZABLE) {
                hi = mid;
            } else if (outcome == WingGongSearch.Outcome.LINEARIZABLE) {
                lo = mid + 1;
            } else {
                break;
            }
        }
        long failureTime = returnTimes[hi];
        List<Operation<I, O>> current = observedAt(partition, failureTime);
        boolean orderViolation = search(revealedEarlier(current, failureTime)) == WingGongSearch.Outcome.LINEARIZABLE;

        int chunk = Math.max(1, Math.min(FIRST_CHUNK, current.size() / 4));
        while (!budget.exhausted()) {
            boolean removed = false;
            int from = 0;
            while (from < current.size() && !budget.exhausted()) {
                int to = Math.min(current.size(), from + chunk);
                List<Operation<I, O>> without = new ArrayList<>(current.subList(0, from));
                without.addAll(current.subList(to, current.size()));
                if (canRemove(current, from, to, without, failureTime, orderViolation)) {
                    current = without;
                    removed = true;
                } else {
                    from = to;
                }
            }
            if (chunk == 1 && !removed) {
                break;
            }
            chunk = Math.max(1, chunk / 2);
        }
        return current;
    }

    private boolean canRemove(List<Operation<I, O>> current, int from, int to, List<Operation<I, O>> without,
            long failureTime, boolean orderViolation) {
        if (search(observedAt(without, failureTime - 1)) != WingGongSearch.Outcome.LINEARIZABLE) {
            return false;
        }
        if (orderViolation
                && search(revealedEarlier(without, failureTime)) != WingGongSearch.Outcome.LINEARIZABLE) {
            return false;
        }
        List<Operation<I, O>> forgotten = new ArrayList<>(current);
        for (int i = from; i < to; i++) {
            forgotten.set(i, forgotten.get(i).asPending());
        }
        return search(forgotten) == WingGongSearch.Outcome.NOT_LINEARIZABLE;
    }

    /**
     * Whether the last shrink was carried to the end: no search ran out of steps or time, so every
     * operation left was shown to be needed.
     */
    boolean complete() {
        return complete;
    }

    private WingGongSearch.Outcome search(List<Operation<I, O>> ops) {
        SearchBudget slice = budget.child(stepsPerSearch);
        WingGongSearch.Outcome outcome = WingGongSearch.search(model, ops, slice);
        budget.charge(slice);
        if (outcome == WingGongSearch.Outcome.UNKNOWN) {
            complete = false;
        }
        return outcome;
    }

    /**
     * The history as an observer saw it at {@code time}: operations called later are absent and
     * operations that returned later are pending.
     */
    static <I, O> List<Operation<I, O>> observedAt(List<Operation<I, O>> ops, long time) {
        List<Operation<I, O>> observed = new ArrayList<>(ops.size());
        for (Operation<I, O> op : ops) {
            if (op.callTime() <= time) {
                observed.add(op.returnTime() <= time ? op : op.asPending());
            }
        }
        return observed;
    }

    /** The operations, those returning at {@code time} called as early as the earliest one. */
    private static <I, O> List<Operation<I, O>> revealedEarlier(List<Operation<I, O>> ops, long time) {
        long earliest = Long.MAX_VALUE;
        for (Operation<I, O> op : ops) {
            earliest = Math.min(earliest, op.callTime());
        }
        List<Operation<I, O>> widened = new ArrayList<>(ops.size());
        for (Operation<I, O> op : ops) {
            widened.add(op.returnTime() == time
                    ? new Operation<>(op.id(), op.clientId(), op.input(), op.output(), earliest, time) : op);
        }
        return widened;
    }
}
