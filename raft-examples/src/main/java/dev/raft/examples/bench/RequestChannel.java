package dev.raft.examples.bench;

/**
 * How the load generator reaches the cluster: sends one numbered, time-stamped message to the node it believes
 * leads, and hands the answers that arrived to an {@link AnswerListener}. Used from one thread; no allocation
 * per message on the caller's side.
 */
interface RequestChannel extends AutoCloseable {
    /**
     * Sends message {@code seq} (its payload carries {@code stampNanos} in bytes 0-7 and {@code seq} in 8-15).
     *
     * @return false if the channel is back-pressured or not connected yet: try again later
     */
    boolean send(long seq, long stampNanos);

    /**
     * Sends the messages from now on as reads without the log with {@code policy} (the state machine's query echoes
     * them), or as commands through the log when null (the default). A channel that sends only commands refuses a
     * policy.
     */
    default void readPolicy(dev.raft.api.ReadPolicy policy) {
        if (policy != null) {
            throw new UnsupportedOperationException(getClass().getSimpleName() + " sends commands only");
        }
    }

    /** Delivers the answers that arrived; returns how many. */
    int poll(AnswerListener listener);

    /** Sends from now on to {@code nodeId}, or to the next node if it is not a member (0: unknown). */
    void retarget(int nodeId);

    /** The node messages go to. */
    int target();

    @Override
    void close();

    /** What the cluster answered. */
    interface AnswerListener {
        /** The leader applied message {@code seq}, stamped {@code stampNanos}; {@code term} is its term (0 if unknown). */
        void onEcho(long seq, long stampNanos, long term);

        /**
         * Message {@code seq} was not executed: the node is not the leader ({@code notLeader}, {@code leaderHint} the
         * leader it knows of, 0 if none), or it failed there (leadership lost, a full queue); it should be sent again.
         */
        void onRefused(long seq, boolean notLeader, int leaderHint, long term);

        /** Message {@code seq} was refused for good (too long, not authenticated): sending it again cannot help. */
        void onRejected(long seq, String reason);

        /** An answer that is not a well-formed echo of a message of this run. */
        void onMalformed();
    }
}
