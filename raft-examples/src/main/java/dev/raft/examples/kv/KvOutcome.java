package dev.raft.examples.kv;

/**
 * How one {@link KvClient} call ended: exactly one of {@link Ok}, {@link Failed} or {@link Unknown}. Never a
 * guess: a call is OK only when the answer to <em>this</em> command came back, FAILED only when no node can have
 * applied it, and UNKNOWN whenever it may have been applied.
 *
 * <p>Writes run in the client's exactly-once session: a write whose answer is lost is re-sent with the same client
 * id and sequence, and the servers' session table applies it at most once. So the answer to a re-send IS the
 * command's outcome: if the first send was applied, the re-send is answered from the session table with that
 * application's result ({@link Ok#replayed()}), and nothing is applied twice. A read ({@link KvClient#get}) has no
 * session and is simply re-sent, since it changes nothing.
 */
public sealed interface KvOutcome permits KvOutcome.Ok, KvOutcome.Failed, KvOutcome.Unknown {
    /** One line saying what happened, for people. */
    String describe();

    /**
     * The command was applied exactly once and this is its result (which may itself say NOT_FOUND, CAS_FAILED or
     * NOT_A_COUNTER).
     *
     * @param result   the state machine's result
     * @param nodeId   the leader that answered
     * @param replayed whether the answer came from the session table, to a re-send of a command applied earlier
     *                 (still applied once: this is the result of that one application)
     */
    record Ok(KvResult result, int nodeId, boolean replayed) implements KvOutcome {
        /** A result answered to the command's first application. */
        public Ok(KvResult result, int nodeId) {
            this(result, nodeId, false);
        }

        @Override
        public String describe() {
            return "applied by node " + nodeId + ": " + result.status() + (replayed ? " (answer to a re-send, from the"
                + " session table)" : "");
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
            /**
             * A leader, its session table or the client refused it before any send could have been applied (too
             * large, overloaded, shutting down, session table full).
             */
            REJECTED
        }

        @Override
        public String describe() {
            return message;
        }
    }

    /**
     * The command may or may not have been applied (possibly later), at most once: its deadline passed while a send
     * may have reached a leader, or the session table refused a re-send (its session expired) after an earlier send
     * may have been applied.
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
