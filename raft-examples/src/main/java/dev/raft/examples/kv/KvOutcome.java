package dev.raft.examples.kv;

/**
 * How one {@link KvClient} call ended: exactly one of {@link Ok}, {@link Failed} or {@link Unknown}. Never a
 * guess: a call is OK only when the answer to <em>this</em> command's only proposal came back, FAILED only when no
 * node can have appended it, and UNKNOWN whenever it may have been applied (for example, sent to a leader that
 * then died or lost its leadership). A write is never re-sent once it may have reached a leader, so it is applied
 * at most once; a read ({@link KvClient#get}) may be re-sent, since it changes nothing.
 */
public sealed interface KvOutcome permits KvOutcome.Ok, KvOutcome.Failed, KvOutcome.Unknown {
    /** One line saying what happened, for people. */
    String describe();

    /**
     * The command was applied exactly once and this is its result (which may itself say NOT_FOUND or
     * CAS_FAILED).
     *
     * @param result the state machine's result
     * @param nodeId the leader that answered
     */
    record Ok(KvResult result, int nodeId) implements KvOutcome {
        @Override
        public String describe() {
            return "applied by node " + nodeId + ": " + result.status();
        }
    }

    /**
     * The command was definitely not applied.
     *
     * @param reason  why
     * @param message one line naming what was tried and what went wrong, without duplicates
     */
    record Failed(Reason reason, String message) implements KvOutcome {
        /** Why a command was not applied. */
        public enum Reason {
            /** No leader accepted it within the timeout (none known, none reachable); nothing was proposed. */
            UNAVAILABLE,
            /** A leader or the client refused it before proposing it (too large, overloaded, shutting down). */
            REJECTED
        }

        @Override
        public String describe() {
            return message;
        }
    }

    /**
     * The command may or may not have been applied (possibly later): the client cannot know, and did not retry it.
     *
     * @param message one line naming the node and why the outcome is unknown
     */
    record Unknown(String message) implements KvOutcome {
        @Override
        public String describe() {
            return message;
        }
    }
}
