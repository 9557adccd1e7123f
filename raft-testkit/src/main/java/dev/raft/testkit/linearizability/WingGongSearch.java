package dev.raft.testkit.linearizability;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The Wing–Gong linearizability search with Lowe's memoization, as in Porcupine, for one
 * partition of a history, extended with subsumption of configurations that differ only in
 * pending operations, and run as a portfolio of two candidate orders.
 *
 * <p>The call and return events are kept in a doubly linked list ordered by time (a call before a
 * return at equal times, so touching intervals are concurrent). The search walks the list from
 * the head: at a call it tries to linearize that operation next (the model must accept its
 * output); linearizing removes ("lifts") the call and its return from the list and restarts at
 * the head. Reaching a return means the operation it ends must already have been linearized, so
 * the search backtracks to the last linearized operation and tries the next candidate after it.
 *
 * <p>Operations that never returned have no return event (it would come after every other one):
 * they are candidates as soon as their call precedes the first remaining return. The search
 * succeeds once every completed operation is linearized, the pending ones left being those that
 * never took effect. Pending read-only operations constrain nothing and are left out.
 *
 * <p>Every configuration entered (linearized completed operations, linearized pending
 * operations, state) is cached. A configuration is not entered if the cache holds one with the
 * same completed operations and state and a subset of its pending operations: whatever can follow
 * the larger configuration can follow the smaller one (the extra pending operations may simply
 * never take effect), so if the smaller one has no linearization neither has the larger. With
 * equal sets this is Lowe's memoization. Sets of completed operations are cached as 128-bit
 * Zobrist fingerprints, maintained in constant time per step (two different sets collide with
 * probability 2^-128); sets of pending operations as bit words.
 *
 * <p>Which candidate is tried first matters a lot once there are many pending operations, and no
 * order is best for all histories, so two searches run in alternating, growing slices of steps
 * and the first to answer wins (both are complete): Porcupine's order (all calls in time order,
 * pruning only by equal or fully explored configurations), which accepts linearizable histories
 * quickly; and completed operations before pending ones, pruning also by configurations still
 * being explored, which proves violations quickly (a pending write tried and then overwritten
 * leads to a configuration subsumed by the one without it).
 */
final class WingGongSearch<S, I, O> {

    /** The outcome of searching one partition. */
    enum Outcome { LINEARIZABLE, NOT_LINEARIZABLE, UNKNOWN }

    private static final long FIRST_SLICE = 1 << 12;
    private static final long MAX_SLICE = 1 << 20;

    /** Seed of the per-operation fingerprint keys; fixed so that every search is reproducible. */
    private static final long FINGERPRINT_SEED = 0x5DEECE66DL;

    private static final Comparator<Event> EVENT_ORDER = Comparator
            .<Event>comparingLong(e -> e.time)
            .thenComparing(e -> e.call ? 0 : 1)
            .thenComparingInt(e -> e.index);

    private static final class Event {
        final boolean call;
        final int index;
        final Operation<?, ?> op;
        final long time;
        /** The return of a completed operation's call and vice versa; null for pending calls. */
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

    /** A set of linearized completed operations, as its two 64-bit fingerprints, and a model state. */
    private record CacheKey(long fingerprintA, long fingerprintB, Object state) {
    }

    /** A cached set of linearized pending operations; done once its configuration was fully explored. */
    private static final class Seen {
        final long[] pending;
        boolean done;

        Seen(long[] pending) {
            this.pending = pending;
        }
    }

    private final Model<S, I, O> model;
    private final boolean completedFirst;
    private final Event head;
    private final Event pendingHead;
    private final long[] keysA;
    private final long[] keysB;
    private final long[] pendingLinearized;
    private final Map<CacheKey, List<Seen>> cache = new HashMap<>();
    private final Event[] callStack;
    private final Seen[] seenStack;
    private final List<S> stateStack;
    private int remainingCompleted;
    private long linearizedA;
    private long linearizedB;
    private int depth;
    private S state;
    private Event entry;

    /**
     * Searches for a linearization of {@code ops}.
     *
     * @return the outcome; UNKNOWN when the budget ran out first
     */
    static <S, I, O> Outcome search(Model<S, I, O> model, List<Operation<I, O>> ops, SearchBudget budget) {
        WingGongSearch<S, I, O> timeOrder = new WingGongSearch<>(model, ops, false);
        WingGongSearch<S, I, O> completedFirst = new WingGongSearch<>(model, ops, true);
        long slice = FIRST_SLICE;
        while (true) {
            Outcome outcome = timeOrder.run(budget, slice);
            if (outcome == null) {
                outcome = completedFirst.run(budget, slice);
            }
            if (outcome != null) {
                return outcome;
            }
            slice = Math.min(2 * slice, MAX_SLICE);
        }
    }

    private WingGongSearch(Model<S, I, O> model, List<Operation<I, O>> ops, boolean completedFirst) {
        this.model = model;
        this.completedFirst = completedFirst;
        List<Event> events = new ArrayList<>(2 * ops.size());
        List<Event> pendingCalls = new ArrayList<>();
        for (Operation<I, O> op : ops) {
            if (op.isPending()) {
                if (!model.isReadOnly(op.input())) {
                    pendingCalls.add(new Event(true, pendingCalls.size(), op, op.callTime()));
                }
                continue;
            }
            Event call = new Event(true, remainingCompleted, op, op.callTime());
            Event ret = new Event(false, remainingCompleted, op, op.returnTime());
            call.match = ret;
            ret.match = call;
            events.add(call);
            events.add(ret);
            remainingCompleted++;
        }
        int completed = remainingCompleted;
        if (completedFirst) {
            this.head = link(events);
            this.pendingHead = link(pendingCalls);
        } else {
            events.addAll(pendingCalls);
            this.head = link(events);
            this.pendingHead = link(new ArrayList<>());
        }
        this.keysA = new long[completed];
        this.keysB = new long[completed];
        SplittableRandom random = new SplittableRandom(FINGERPRINT_SEED);
        for (int i = 0; i < completed; i++) {
            keysA[i] = random.nextLong();
            keysB[i] = random.nextLong();
        }
        this.pendingLinearized = new long[(pendingCalls.size() + 63) >>> 6];
        int maxDepth = completed + pendingCalls.size();
        this.callStack = new Event[maxDepth];
        this.seenStack = new Seen[maxDepth];
        this.stateStack = new ArrayList<>(maxDepth);
        this.state = model.initialState();
        this.entry = head.next;
    }

    /** Continues the search for at most {@code slice} steps; null if it has not answered yet. */
    private Outcome run(SearchBudget budget, long slice) {
        for (long steps = 0; remainingCompleted > 0; steps++) {
            if (steps == slice) {
                return null;
            }
            if (budget.step()) {
                return Outcome.UNKNOWN;
            }
            if (entry.call) {
                tryCandidate();
            } else if (depth == 0) {
                return Outcome.NOT_LINEARIZABLE;
            } else {
                backtrack();
            }
        }
        return Outcome.LINEARIZABLE;
    }

    private void tryCandidate() {
        @SuppressWarnings("unchecked")
        Operation<I, O> op = (Operation<I, O>) entry.op;
        StepResult<S> result = model.step(state, op.input(), op.output());
        if (!result.legal()) {
            entry = nextCandidate(entry);
            return;
        }
        boolean pending = entry.match == null;
        long a = linearizedA;
        long b = linearizedB;
        if (pending) {
            pendingLinearized[entry.index >>> 6] |= 1L << entry.index;
        } else {
            a ^= keysA[entry.index];
            b ^= keysB[entry.index];
        }
        Seen seen = enterIfNotSubsumed(new CacheKey(a, b, result.state()));
        if (seen == null) {
            if (pending) {
                pendingLinearized[entry.index >>> 6] &= ~(1L << entry.index);
            }
            entry = nextCandidate(entry);
            return;
        }
        linearizedA = a;
        linearizedB = b;
        seenStack[depth] = seen;
        callStack[depth++] = entry;
        stateStack.add(state);
        state = result.state();
        if (!pending) {
            remainingCompleted--;
        }
        lift(entry);
        entry = head.next;
    }

    private void backtrack() {
        Event undone = callStack[--depth];
        callStack[depth] = null;
        seenStack[depth].done = true;
        seenStack[depth] = null;
        state = stateStack.remove(depth);
        if (undone.match == null) {
            pendingLinearized[undone.index >>> 6] &= ~(1L << undone.index);
        } else {
            linearizedA ^= keysA[undone.index];
            linearizedB ^= keysB[undone.index];
            remainingCompleted++;
        }
        unlift(undone);
        entry = nextCandidate(undone);
    }

    /**
     * Records the configuration (current pending set, given key) and returns its cache entry,
     * unless it is subsumed: the cache holds the same pending set, or a subset of it that was fully
     * explored (or, in completed-first order, still being explored).
     */
    private Seen enterIfNotSubsumed(CacheKey key) {
        List<Seen> seen = cache.computeIfAbsent(key, k -> new ArrayList<>(1));
        for (Seen other : seen) {
            if ((other.done || completedFirst) ? isSubset(other.pending, pendingLinearized)
                    : Arrays.equals(other.pending, pendingLinearized)) {
                return null;
            }
        }
        Seen entered = new Seen(pendingLinearized.clone());
        seen.add(entered);
        return entered;
    }

    private static boolean isSubset(long[] small, long[] large) {
        for (int w = 0; w < small.length; w++) {
            if ((small[w] & ~large[w]) != 0) {
                return false;
            }
        }
        return true;
    }

    /** Sorts the events and links them into a list after a new sentinel head, which is returned. */
    private static Event link(List<Event> events) {
        events.sort(EVENT_ORDER);
        Event sentinel = new Event(false, -1, null, Long.MIN_VALUE);
        Event last = sentinel;
        for (Event e : events) {
            last.next = e;
            e.prev = last;
            last = e;
        }
        return sentinel;
    }

    /**
     * The candidate to try after {@code tried}: the next event in time order, or, in
     * completed-first order, the next call of a completed operation before the first remaining
     * return, then the calls of pending operations before it. After the last candidate comes that
     * first return, which makes the search backtrack.
     */
    private Event nextCandidate(Event tried) {
        if (!completedFirst) {
            return tried.next;
        }
        Event pending;
        Event firstReturn;
        if (tried.match != null) {
            Event next = tried.next;
            if (next.call) {
                return next;
            }
            firstReturn = next;
            pending = pendingHead.next;
        } else {
            firstReturn = head.next;
            while (firstReturn.call) {
                firstReturn = firstReturn.next;
            }
            pending = tried.next;
        }
        return pending != null && pending.time <= firstReturn.time ? pending : firstReturn;
    }

    private static void lift(Event call) {
        call.prev.next = call.next;
        if (call.next != null) {
            call.next.prev = call.prev;
        }
        Event ret = call.match;
        if (ret != null) {
            ret.prev.next = ret.next;
            if (ret.next != null) {
                ret.next.prev = ret.prev;
            }
        }
    }

    private static void unlift(Event call) {
        Event ret = call.match;
        if (ret != null) {
            ret.prev.next = ret;
            if (ret.next != null) {
                ret.next.prev = ret;
            }
        }
        call.prev.next = call;
        if (call.next != null) {
            call.next.prev = call;
        }
    }
}
