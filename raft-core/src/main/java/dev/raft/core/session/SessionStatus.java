package dev.raft.core.session;

/**
 * What the session layer did with one command; the first byte of every {@link SessionResponse}. The codes are
 * part of the wire format: never renumber them.
 */
public enum SessionStatus {
    /** Applied now, for the first time; the response is the application's. */
    APPLIED(0),
    /**
     * Applied earlier (this is a retry of the same client id and sequence) and not applied again; the response is
     * the one the first application produced. For the client this IS the command's outcome.
     */
    REPLAYED(1),
    /**
     * Applied earlier, but its response was longer than {@link SessionLimits#maxResponseBytes()} and was not kept:
     * the command is known applied exactly once, its answer is gone.
     */
    REPLAYED_WITHOUT_RESPONSE(2),
    /**
     * Not applied: the sequence is below the client's acknowledged floor, so the client already had every answer
     * below it; this is a delayed duplicate nobody waits for.
     */
    STALE_SEQUENCE(3),
    /**
     * Not applied: the client's session is unknown (it expired, or the id was never seen) while the command says the
     * client had already received answers (floor above 1). A retry whose first attempt may have been applied before
     * the session expired cannot be told apart from a fresh command, so it is refused.
     */
    SESSION_EXPIRED(4),
    /** Not applied: the client has {@link SessionLimits#maxResponsesPerSession()} unacknowledged responses kept. */
    SESSION_FULL(5),
    /**
     * Not applied: the table holds {@link SessionLimits#maxSessions()} sessions (for a new client) or
     * {@link SessionLimits#maxTotalResponseBytes()} of responses.
     */
    TABLE_FULL(6),
    /** Not applied: the entry is no session envelope, or its fields are inconsistent. */
    MALFORMED(7);

    private static final SessionStatus[] BY_CODE = values();

    private final byte code;

    SessionStatus(int code) {
        this.code = (byte) code;
    }

    /** The wire code. */
    public byte code() {
        return code;
    }

    /** Whether the application's state machine has applied the command (now or earlier). */
    public boolean applied() {
        return this == APPLIED || this == REPLAYED || this == REPLAYED_WITHOUT_RESPONSE;
    }

    /**
     * The status of a wire code.
     *
     * @throws IllegalArgumentException naming the code if it is none
     */
    public static SessionStatus fromCode(int code) {
        if (code < 0 || code >= BY_CODE.length) {
            throw new IllegalArgumentException("session status code " + code + " is not one of 0.." + (BY_CODE.length - 1));
        }
        return BY_CODE[code];
    }
}
