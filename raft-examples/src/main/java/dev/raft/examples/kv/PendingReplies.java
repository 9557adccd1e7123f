package dev.raft.examples.kv;

import java.util.Arrays;

/**
 * The requests {@link ClientService} proposed or read and has not answered yet, by slot: whom to answer (the
 * route and the request's correlation id), until when, what kind of answer the outcome becomes, and in which form. A slot's number
 * is the correlation the node hands back with the outcome. Growable, allocation-free once grown; node thread only.
 */
final class PendingReplies {
    /** A command proposed as is. */
    static final byte COMMAND = 1;
    /** A command proposed in a session envelope: its result is a session response. */
    static final byte SESSION_COMMAND = 2;
    /** A read without the log. */
    static final byte READ = 3;

    private ReplyRoutes.Route[] routes = new ReplyRoutes.Route[1024];
    private long[] correlationIds = new long[1024];
    private long[] deadlines = new long[1024];
    private byte[] kinds = new byte[1024];
    private boolean[] brief = new boolean[1024];
    private int[] free = new int[1024];
    private int freeCount;
    private int used;

    /** Takes a slot for a request; returns its number. */
    int take(ReplyRoutes.Route route, long correlationId, long deadline, byte kind, boolean briefAnswer) {
        final int slot;
        if (freeCount > 0) {
            slot = free[--freeCount];
        } else {
            if (used == routes.length) {
                grow();
            }
            slot = used++;
        }
        routes[slot] = route;
        correlationIds[slot] = correlationId;
        deadlines[slot] = deadline;
        kinds[slot] = kind;
        brief[slot] = briefAnswer;
        return slot;
    }

    /** Whether {@code slot} is taken (an outcome for a slot released or never taken is ignored). */
    boolean taken(long slot) {
        return slot >= 0 && slot < used && kinds[(int) slot] != 0;
    }

    ReplyRoutes.Route route(int slot) {
        return routes[slot];
    }

    long correlationId(int slot) {
        return correlationIds[slot];
    }

    long deadline(int slot) {
        return deadlines[slot];
    }

    byte kind(int slot) {
        return kinds[slot];
    }

    /** Whether the client asked for a brief OK answer (a ClientAnswer). */
    boolean brief(int slot) {
        return brief[slot];
    }

    /** Gives a slot back once its request is answered. */
    void release(int slot) {
        routes[slot] = null;
        kinds[slot] = 0;
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, free.length * 2);
        }
        free[freeCount++] = slot;
    }

    private void grow() {
        final int n = routes.length * 2;
        routes = Arrays.copyOf(routes, n);
        correlationIds = Arrays.copyOf(correlationIds, n);
        deadlines = Arrays.copyOf(deadlines, n);
        kinds = Arrays.copyOf(kinds, n);
        brief = Arrays.copyOf(brief, n);
    }
}
