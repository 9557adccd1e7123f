package dev.raft.testkit.linearizability;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Records a history from any number of client threads, or from a single-threaded simulation.
 *
 * <p>Call {@link #invoke} just before the request leaves the client and complete the returned
 * {@link Call} as soon as the outcome is known: {@link Call#ok} with the answer,
 * {@link Call#fail} if the operation definitely did not take effect (for example the node said it
 * is not the leader before proposing anything). Leave a call open when the outcome is unknown (a
 * timeout, a lost leadership after proposing, a crash): it becomes a pending operation that may
 * have taken effect at any point after its call, or never.
 *
 * <p>Times order events exactly as the recorder observed them: an operation that returned before
 * another was invoked precedes it. By default they are sequence numbers of the recorder's events.
 * With an injected clock (a simulated clock, in whatever unit) they are its readings, made strictly
 * increasing: an event read at the same time as the previous one gets the previous time plus one,
 * so a coarse clock loses no ordering (times then run slightly ahead of the clock within a busy
 * tick). The clock must never go backwards.
 *
 * @param <I> the input type of the model
 * @param <O> the output type of the model
 */
public final class HistoryRecorder<I, O> {

    private final LongSupplier clock;
    private final List<Call<I, O>> calls = new ArrayList<>();
    private long lastReading = Long.MIN_VALUE;
    private long lastTime = Long.MIN_VALUE;

    /** A recorder whose times are the sequence numbers of its events. */
    public HistoryRecorder() {
        AtomicLong counter = new AtomicLong();
        this.clock = counter::incrementAndGet;
    }

    /**
     * A recorder reading times from the given clock.
     *
     * @param clock a clock that never goes backwards
     */
    public HistoryRecorder(LongSupplier clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Records the invocation of an operation.
     *
     * @param clientId the client issuing it
     * @param input what it asks for
     * @return the handle on which to record the outcome
     */
    public synchronized Call<I, O> invoke(int clientId, I input) {
        Objects.requireNonNull(input, "input");
        Call<I, O> call = new Call<>(this, calls.size(), clientId, input, now());
        calls.add(call);
        return call;
    }

    /**
     * The history recorded so far: completed calls, and calls still open as pending operations.
     * Failed calls are left out.
     *
     * @return a snapshot of the history
     */
    public synchronized History<I, O> history() {
        List<Operation<I, O>> ops = new ArrayList<>(calls.size());
        for (Call<I, O> call : calls) {
            switch (call.state) {
                case OPEN -> ops.add(Operation.pending(call.id, call.clientId, call.input, call.callTime));
                case OK -> ops.add(Operation.completed(
                        call.id, call.clientId, call.input, call.output, call.callTime, call.returnTime));
                case FAILED -> {
                }
                default -> throw new IllegalStateException("unknown call state " + call.state);
            }
        }
        return new History<>(ops);
    }

    private long now() {
        long reading = clock.getAsLong();
        if (reading < lastReading) {
            throw new IllegalStateException("history recorder: clock went backwards from " + lastReading + " to "
                    + reading);
        }
        lastReading = reading;
        long time = lastTime == Long.MIN_VALUE ? reading : Math.max(reading, lastTime + 1);
        if (time == Operation.PENDING_RETURN_TIME) {
            throw new IllegalStateException("history recorder: time reached Long.MAX_VALUE, which marks pending"
                    + " operations");
        }
        lastTime = time;
        return time;
    }

    private enum State { OPEN, OK, FAILED }

    /**
     * One invoked operation whose outcome is still to be recorded.
     *
     * @param <I> input type
     * @param <O> output type
     */
    public static final class Call<I, O> {
        private final HistoryRecorder<I, O> recorder;
        private final int id;
        private final int clientId;
        private final I input;
        private final long callTime;
        private State state = State.OPEN;
        private O output;
        private long returnTime;

        private Call(HistoryRecorder<I, O> recorder, int id, int clientId, I input, long callTime) {
            this.recorder = recorder;
            this.id = id;
            this.clientId = clientId;
            this.input = input;
            this.callTime = callTime;
        }

        /**
         * The id the operation will have in the history.
         *
         * @return the operation id
         */
        public int id() {
            return id;
        }

        /**
         * Records that the operation returned with the given output.
         *
         * @param output the answer, never {@code null}
         * @throws IllegalStateException if the outcome was already recorded
         */
        public void ok(O output) {
            Objects.requireNonNull(output, "output");
            synchronized (recorder) {
                close(State.OK);
                this.output = output;
                this.returnTime = recorder.now();
            }
        }

        /**
         * Records that the operation definitely did not take effect; it is left out of the history.
         *
         * @throws IllegalStateException if the outcome was already recorded
         */
        public void fail() {
            synchronized (recorder) {
                close(State.FAILED);
            }
        }

        private void close(State next) {
            if (state != State.OPEN) {
                throw new IllegalStateException("history recorder: operation " + id + " of client " + clientId
                        + " (" + input + ") already completed as " + state + ", cannot complete it as " + next);
            }
            state = next;
        }
    }
}
