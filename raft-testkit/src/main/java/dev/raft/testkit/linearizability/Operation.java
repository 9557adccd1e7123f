package dev.raft.testkit.linearizability;

import java.util.Objects;

/**
 * One client operation of a history: its input, its output if it returned, and the times of its
 * call and return.
 *
 * <p>Times only order events: an operation {@code a} precedes {@code b} in real time when
 * {@code a.returnTime() < b.callTime()}; operations whose intervals touch or overlap are
 * concurrent. An operation that never returned (a timeout, a lost leadership, a crash of the
 * client) is <em>pending</em>: its output is unknown ({@code null}), its return time is
 * {@link #PENDING_RETURN_TIME}, and it may have taken effect at any point after its call, or never.
 *
 * @param id unique identifier of the operation within its history
 * @param clientId the client (process) that issued the operation
 * @param input what the client asked for, never {@code null}
 * @param output what the client was answered; {@code null} if and only if the operation is pending
 * @param callTime when the client invoked the operation
 * @param returnTime when the client received the answer, {@link #PENDING_RETURN_TIME} if pending
 * @param <I> the input type of the model
 * @param <O> the output type of the model
 */
public record Operation<I, O>(int id, int clientId, I input, O output, long callTime, long returnTime) {

    /** Return time of an operation that never returned: after every other event. */
    public static final long PENDING_RETURN_TIME = Long.MAX_VALUE;

    /**
     * Validates the fields.
     *
     * @param id unique identifier within the history
     * @param clientId the client
     * @param input the input
     * @param output the output, null if pending
     * @param callTime call time
     * @param returnTime return time, {@link #PENDING_RETURN_TIME} if pending
     * @throws IllegalArgumentException if the times are inverted, or a completed operation has no
     *     output, or a pending operation has one
     */
    public Operation {
        Objects.requireNonNull(input, "input");
        if (returnTime < callTime) {
            throw new IllegalArgumentException("operation " + id + " of client " + clientId
                    + ": returnTime " + returnTime + " is before callTime " + callTime);
        }
        if (returnTime == PENDING_RETURN_TIME) {
            if (output != null) {
                throw new IllegalArgumentException("operation " + id + " of client " + clientId
                        + " is pending (returnTime = PENDING_RETURN_TIME) but has output " + output);
            }
        } else if (output == null) {
            throw new IllegalArgumentException("operation " + id + " of client " + clientId
                    + " returned at " + returnTime + " but has no output; use a pending operation"
                    + " for an unknown outcome");
        }
    }

    /**
     * A completed operation.
     *
     * @param id unique identifier within the history
     * @param clientId the client that issued it
     * @param input the input
     * @param output the output, never {@code null}
     * @param callTime call time
     * @param returnTime return time, at least {@code callTime}
     * @param <I> input type
     * @param <O> output type
     * @return the operation
     */
    public static <I, O> Operation<I, O> completed(
            int id, int clientId, I input, O output, long callTime, long returnTime) {
        return new Operation<>(id, clientId, input, Objects.requireNonNull(output, "output"), callTime, returnTime);
    }

    /**
     * A pending operation: called, never returned, outcome unknown.
     *
     * @param id unique identifier within the history
     * @param clientId the client that issued it
     * @param input the input
     * @param callTime call time
     * @param <I> input type
     * @param <O> output type
     * @return the operation
     */
    public static <I, O> Operation<I, O> pending(int id, int clientId, I input, long callTime) {
        return new Operation<>(id, clientId, input, null, callTime, PENDING_RETURN_TIME);
    }

    /**
     * Whether the operation never returned.
     *
     * @return {@code true} if the outcome is unknown
     */
    public boolean isPending() {
        return returnTime == PENDING_RETURN_TIME;
    }

    /**
     * This operation with its outcome forgotten: same call, unknown output, never returned.
     *
     * @return the pending form of this operation (itself if already pending)
     */
    public Operation<I, O> asPending() {
        return isPending() ? this : pending(id, clientId, input, callTime);
    }
}
