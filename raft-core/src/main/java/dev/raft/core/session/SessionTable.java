package dev.raft.core.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * The replicated session table of a {@link SessionStateMachine}: per client, the acknowledged floor, the time of its
 * last command by the log's clock, and the responses kept for its unacknowledged sequences; sessions in order of
 * last activity, so that expiry takes them from the oldest end. Touched only by the node's thread.
 */
final class SessionTable {
    /** Stands for a response of {@code null} (the application answered nothing). */
    static final byte[] NO_RESPONSE = new byte[0];
    /** Stands for a response longer than {@link SessionLimits#maxResponseBytes()}, not kept. */
    static final byte[] NOT_KEPT = new byte[0];

    /** One client's session. */
    static final class Session {
        final long clientId;
        long ackedBelow;
        long lastActiveMillis;
        long bytes;
        final TreeMap<Long, byte[]> responses = new TreeMap<>();
        Session older;
        Session newer;

        Session(long clientId, long ackedBelow, long lastActiveMillis) {
            this.clientId = clientId;
            this.ackedBelow = ackedBelow;
            this.lastActiveMillis = lastActiveMillis;
        }
    }

    /** A session as captured for a snapshot: immutable after capture. */
    record Captured(long clientId, long ackedBelow, long lastActiveMillis, Map<Long, byte[]> responses) {
    }

    private final SessionLimits limits;
    private final Long2ObjectHashMap<Session> byClient = new Long2ObjectHashMap<>();
    private Session oldest;
    private Session newest;
    private long clockMillis;
    private long totalBytes;
    private long expired;

    SessionTable(SessionLimits limits) {
        this.limits = limits;
    }

    SessionLimits limits() {
        return limits;
    }

    /** The log's clock: the highest stamp of any applied envelope (0 before the first). */
    long clockMillis() {
        return clockMillis;
    }

    int size() {
        return byClient.size();
    }

    long totalBytes() {
        return totalBytes;
    }

    long expired() {
        return expired;
    }

    /**
     * Moves the clock to {@code stampMillis} if that is later, then expires every session idle for longer than the
     * expiry: {@code clock - lastActive > expiryMillis}.
     */
    void advanceClock(long stampMillis) {
        if (stampMillis > clockMillis) {
            clockMillis = stampMillis;
        }
        final long expiry = limits.expiryMillis();
        while (oldest != null && clockMillis - oldest.lastActiveMillis > expiry) {
            remove(oldest);
            expired++;
        }
    }

    Session find(long clientId) {
        return byClient.get(clientId);
    }

    /** Whether a new session may be opened: fewer than the most sessions and the responses below their byte cap. */
    boolean roomForNewSession() {
        return byClient.size() < limits.maxSessions() && totalBytes < limits.maxTotalResponseBytes();
    }

    boolean roomForResponse(Session s) {
        return s.responses.size() < limits.maxResponsesPerSession() && totalBytes < limits.maxTotalResponseBytes();
    }

    /** Opens a session, active now. */
    Session open(long clientId, long ackedBelow) {
        final Session s = new Session(clientId, ackedBelow, clockMillis);
        byClient.put(clientId, s);
        linkNewest(s);
        return s;
    }

    /** Marks {@code s} active now, and raises its floor to {@code ackedBelow}, dropping the responses below it. */
    void touch(Session s, long ackedBelow) {
        s.lastActiveMillis = clockMillis;
        if (s != newest) {
            unlink(s);
            linkNewest(s);
        }
        if (ackedBelow > s.ackedBelow) {
            s.ackedBelow = ackedBelow;
            final Map<Long, byte[]> below = s.responses.headMap(ackedBelow);
            for (byte[] r : below.values()) {
                s.bytes -= r.length;
                totalBytes -= r.length;
            }
            below.clear();
        }
    }

    /** Keeps the response of {@code sequence} (null, or too long to keep, become markers). */
    void keep(Session s, long sequence, byte[] response) {
        final byte[] kept = response == null ? NO_RESPONSE
            : response.length > limits.maxResponseBytes() ? NOT_KEPT : response;
        s.responses.put(sequence, kept);
        s.bytes += kept.length;
        totalBytes += kept.length;
    }

    /** The sessions, oldest activity first, copied for a snapshot (responses are never mutated, so shared). */
    List<Captured> capture() {
        final List<Captured> all = new ArrayList<>(byClient.size());
        for (Session s = oldest; s != null; s = s.newer) {
            all.add(new Captured(s.clientId, s.ackedBelow, s.lastActiveMillis, new TreeMap<>(s.responses)));
        }
        return all;
    }

    /** Replaces the whole table (a restored snapshot's, already checked). */
    void replace(long clock, List<Captured> sessions) {
        byClient.clear();
        oldest = null;
        newest = null;
        totalBytes = 0;
        clockMillis = clock;
        for (Captured c : sessions) {
            final Session s = new Session(c.clientId(), c.ackedBelow(), c.lastActiveMillis());
            for (Map.Entry<Long, byte[]> e : c.responses().entrySet()) {
                s.responses.put(e.getKey(), e.getValue());
                s.bytes += e.getValue().length;
            }
            totalBytes += s.bytes;
            byClient.put(s.clientId, s);
            linkNewest(s);
        }
    }

    private void remove(Session s) {
        unlink(s);
        byClient.remove(s.clientId);
        totalBytes -= s.bytes;
    }

    private void linkNewest(Session s) {
        s.older = newest;
        s.newer = null;
        if (newest != null) {
            newest.newer = s;
        } else {
            oldest = s;
        }
        newest = s;
    }

    private void unlink(Session s) {
        if (s.older != null) {
            s.older.newer = s.newer;
        } else {
            oldest = s.newer;
        }
        if (s.newer != null) {
            s.newer.older = s.older;
        } else {
            newest = s.older;
        }
        s.older = null;
        s.newer = null;
    }
}
