package dev.raft.api.service;

import org.agrona.DirectBuffer;

/**
 * Receives the outcome of a proposal or read made through a {@link NodeContext}, on the node thread, after the
 * node published the metrics of the duty cycle that decided it (a caller that reads {@code RaftNode.metrics()}
 * then sees at least the applied index that served it). Exactly one of the two methods is called once per
 * accepted proposal or read. Neither may block, and neither may throw.
 */
public interface OutcomeListener {
    /**
     * The proposal was committed and applied, or the read was served.
     *
     * @param correlation the value passed with the proposal or read
     * @param result      the state machine's answer ({@code apply} or {@code query}); may be null
     */
    void onResult(long correlation, byte[] result);

    /**
     * The allocation-free form of {@link #onResult(long, byte[])}, and the one the node calls for a proposal: the
     * state machine's answer as bytes of a buffer that are valid only during the call (copy what must outlive it).
     * The default copies them into an array for {@link #onResult(long, byte[])}.
     *
     * @param correlation the value passed with the proposal
     * @param result      the buffer holding the answer (any buffer when there is none)
     * @param offset      where the answer starts in {@code result}
     * @param length      the answer's length, or -1 when the state machine gave none (null in the array form)
     */
    default void onResult(long correlation, DirectBuffer result, int offset, int length) {
        final byte[] copy;
        if (length < 0) {
            copy = null;
        } else {
            copy = new byte[length];
            result.getBytes(offset, copy);
        }
        onResult(correlation, copy);
    }

    /**
     * The proposal or read failed. For a proposal, the error says whether it may still have been applied:
     * {@link dev.raft.api.error.LeadershipLostException} and {@link dev.raft.api.error.NodeClosedException} /
     * {@link dev.raft.api.error.NodeFailedException} after acceptance mean it may have been (the outcome is unknown);
     * a read changed nothing and may be retried.
     *
     * @param correlation the value passed with the proposal or read
     * @param error       what went wrong
     */
    void onError(long correlation, RuntimeException error);
}
