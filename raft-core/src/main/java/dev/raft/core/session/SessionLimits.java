package dev.raft.core.session;

import java.util.concurrent.TimeUnit;

/**
 * The bounds of a {@link SessionStateMachine}'s table. Every replica must use the same limits: they decide,
 * deterministically, which commands are refused and which sessions expire.
 *
 * @param maxSessions             the most sessions kept; a command of a new client beyond it is refused with
 *                                {@link SessionStatus#TABLE_FULL}
 * @param maxResponsesPerSession  the most unacknowledged responses one client may have kept; a command beyond it is
 *                                refused with {@link SessionStatus#SESSION_FULL}
 * @param maxTotalResponseBytes   once the kept responses of all clients reach this many bytes, commands are refused
 *                                with {@link SessionStatus#TABLE_FULL} (the table exceeds it by at most one response)
 * @param maxResponseBytes        a longer response is delivered but not kept (a retry then gets
 *                                {@link SessionStatus#REPLAYED_WITHOUT_RESPONSE})
 * @param expiryMillis            a session idle for longer than this, by the log's clock (see
 *                                {@link SessionStateMachine}), expires
 */
public record SessionLimits(int maxSessions, int maxResponsesPerSession, long maxTotalResponseBytes, int maxResponseBytes,
                            long expiryMillis) {
    /** Checks every bound. */
    public SessionLimits {
        require(maxSessions >= 1 && maxSessions <= 10_000_000, "maxSessions", maxSessions, "1..10,000,000");
        require(maxResponsesPerSession >= 1 && maxResponsesPerSession <= 1_000_000, "maxResponsesPerSession",
            maxResponsesPerSession, "1..1,000,000");
        require(maxTotalResponseBytes >= 1 && maxTotalResponseBytes <= (1L << 40), "maxTotalResponseBytes",
            maxTotalResponseBytes, "1..2^40");
        require(maxResponseBytes >= 0 && maxResponseBytes <= (1 << 30), "maxResponseBytes", maxResponseBytes, "0..2^30");
        require(expiryMillis >= 1 && expiryMillis <= TimeUnit.DAYS.toMillis(365), "expiryMillis", expiryMillis,
            "1 ms..365 days");
    }

    /**
     * The defaults: 10,000 sessions, 1,024 responses per session, 64 MiB of responses in all, responses up to 2 MiB
     * kept, sessions expire after 10 minutes idle.
     */
    public static SessionLimits defaults() {
        return new SessionLimits(10_000, 1_024, 64L << 20, 2 << 20, TimeUnit.MINUTES.toMillis(10));
    }

    /** These limits with another expiry. */
    public SessionLimits withExpiryMillis(long millis) {
        return new SessionLimits(maxSessions, maxResponsesPerSession, maxTotalResponseBytes, maxResponseBytes, millis);
    }

    private static void require(boolean ok, String name, long value, String range) {
        if (!ok) {
            throw new IllegalArgumentException("SessionLimits." + name + " = " + value + " is outside " + range);
        }
    }
}
