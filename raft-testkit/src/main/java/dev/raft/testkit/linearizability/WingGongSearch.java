package dev.raft.testkit.linearizability;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The Wing–Gong linearizability search with Lowe's memoization, as in Porcupine, for one
 * partition of a history.
 *
 * <p>The call and return events are kept in a doubly linked list ordered by time (a call before a
 * return at equal times, so touching intervals are concurrent). The search walks the list from
 * the head: at a call it tries to linearize that operation next (the model must accept its
 * output); linearizing removes ("lifts") the call and its return from the list and restarts at
 * the head. Reaching a return means the operation it ends must already have been linearized, so
 * the search backtracks to the last linearized operation and tries the next candidate after it.
 * Every (linearized set, state) configuration entered is cached, and a configuration already in
 * the cache is not entered again. Sets are cached as 128-bit Zobrist fingerprints, maintained in
 * constant time per step (two different sets collide with probability 2^-128), rather than as
 * bit sets: this keeps the cache small and the step cheap on partitions of thousands of
 * operations.
 *
 * <p>Pending operations return after every other event, so they may be linearized anywhere after
 * their call; the search succeeds once every completed operation is linearized, the pending ones
 * left being those that never took effect. Pending read-only operations constrain nothing and are
 * left out.
 */
final class WingGongSearch {

    private WingGongSearch() {
    }

    /** The outcome of searching one partition. */
    enum Outcome { LINEARIZABLE, NOT_LINEARIZABLE, UNKNOWN }

    private static final class Event {
        final boolean call;
        final int index;
        final Operation<?, ?> op;
        final long time;
        Event match;
        Event prev;
        Event next;

        Event(boolean call, int index, Operation<?, ?> op, long time) {
            this.call = call;
            this.index = index;
            this.op = op;
            this.time = time;
        }
    }

    /** A linearized set, as its two 64-bit fingerprints, and a model state. */
    private record CacheKey(long fingerprintA, long fingerprintB, Object state) {
    }

    /** Seed of the per-operation fingerprint keys; fixed so that every search is reproducible. */
    private static final long FINGERPRINT_SEED = 0x5DEECE66DL;

    private static final Comparator<Event> EVENT_ORDER = Comparator
            .<Event>comparingLong(e -> e.time)
            .thenComparing(e -> e.call ? 0 : 1)
            .thenComparingInt(e -> e.index);

    /**
     * Searches for a linearization of {@code ops}.
     *
     * @return the outcome; UNKNOWN when the budget ran out first
     */
    static <S, I, O> Outcome search(Model<S, I, O> model, List<Operation<I, O>> ops, SearchBudget budget) {
        int n = ops.size();
        List<Event> events = new ArrayList<>(2 * n);
        int remainingCompleted = 0;
        for (int i = 0; i < n; i++) {
            Operation<I, O> op = ops.get(i);
            if (op.isPending() && model.isReadOnly(op.input())) {
                continue; // may be linearized anywhere after its call without effect: constrains nothing
            }
            Event call = new Event(true, i, op, op.callTime());
            Event ret = new Event(false, i, op, op.returnTime());
            call.match = ret;
            ret.match = call;
            events.add(call);
            events.add(ret);
            if (!op.isPending()) {
                remainingCompleted++;
            }
        }
        events.sort(EVENT_ORDER);
        Event head = new Event(false, -1, null, Long.MIN_VALUE);
        Event last = head;
        for (Event e : events) {
            last.next = e;
            e.prev = last;
            last = e;
        }

        // Zobrist fingerprints of the linearized set, updated in O(1) per step: the XOR of two random
        // 64-bit keys per linearized operation. Two different sets share both fingerprints with
        // probability 2^-128 per pair of cached configurations.
        long[] keysA = new long[n];
        long[] keysB = new long[n];
        SplittableRandom random = new SplittableRandom(FINGERPRINT_SEED);
        for (int i = 0; i < n; i++) {
            keysA[i] = random.nextLong();
            keysB[i] = random.nextLong();
        }
        long linearizedA = 0;
        long linearizedB = 0;
        Set<CacheKey> cache = new HashSet<>();
        Event[] callStack = new Event[n];
        List<S> stateStack = new ArrayList<>(n);
        int depth = 0;
        S state = model.initialState();
        Event entry = head.next;
        while (remainingCompleted > 0) {
            if (budget.step()) {
                return Outcome.UNKNOWN;
            }
            if (entry.call) {
                @SuppressWarnings("unchecked")
                Operation<I, O> op = (Operation<I, O>) entry.op;
                StepResult<S> result = model.step(state, op.input(), op.output());
                if (result.legal() && cache.add(new CacheKey(linearizedA ^ keysA[entry.index],
                        linearizedB ^ keysB[entry.index], result.state()))) {
                    linearizedA ^= keysA[entry.index];
                    linearizedB ^= keysB[entry.index];
                    callStack[depth++] = entry;
                    stateStack.add(state);
                    state = result.state();
                    if (!op.isPending()) {
                        remainingCompleted--;
                    }
                    lift(entry);
                    entry = head.next;
                } else {
                    entry = entry.next;
                }
            } else {
                if (depth == 0) {
                    return Outcome.NOT_LINEARIZABLE;
                }
                Event undone = callStack[--depth];
                callStack[depth] = null;
                state = stateStack.remove(depth);
                linearizedA ^= keysA[undone.index];
                linearizedB ^= keysB[undone.index];
                if (!undone.op.isPending()) {
                    remainingCompleted++;
                }
                unlift(undone);
                entry = Objects.requireNonNull(undone.next, "a call is always followed by its return");
            }
        }
        return Outcome.LINEARIZABLE;
    }

    private static void lift(Event call) {
        call.prev.next = call.next;
        call.next.prev = call.prev;
        Event ret = call.match;
        ret.prev.next = ret.next;
        if (ret.next != null) {
            ret.next.prev = ret.prev;
        }
    }

    private static void unlift(Event call) {
        Event ret = call.match;
        ret.prev.next = ret;
        if (ret.next != null) {
            ret.next.prev = ret;
        }
        call.prev.next = call;
        call.next.prev = call;
    }
}
