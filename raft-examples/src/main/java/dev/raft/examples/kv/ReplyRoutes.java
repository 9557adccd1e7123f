package dev.raft.examples.kv;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import java.util.LinkedHashMap;
import java.util.Map;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;

/**
 * The publications on which {@link ClientService} answers its clients, one per reply endpoint: found by the
 * endpoint's bytes in the request (no string is made for a client answered recently), created on first use, at
 * most {@value #MAX_ROUTES} (the least recently used one is closed). Node thread only.
 */
final class ReplyRoutes implements AutoCloseable {
    static final int MAX_ROUTES = 256;
    private static final int RECENT = 8;

    /** A client's reply endpoint and the publication to it (null until first used, or after it failed). */
    static final class Route {
        final String replyTo;
        final byte[] bytes;
        ExclusivePublication publication;

        Route(String replyTo, byte[] bytes) {
            this.replyTo = replyTo;
            this.bytes = bytes;
        }
    }

    private final Aeron aeron;
    private final Route[] recent = new Route[RECENT];
    private int nextRecent;
    private final Map<String, Route> routes = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Route> eldest) {
            if (size() > MAX_ROUTES) {
                forget(eldest.getValue());
                return true;
            }
            return false;
        }
    };

    ReplyRoutes(Aeron aeron) {
        this.aeron = aeron;
    }

    /** The route to the endpoint written in {@code buffer} (ASCII {@code host:port}, already validated). */
    Route route(DirectBuffer buffer, int offset, int length) {
        for (Route r : recent) {
            if (r != null && same(r.bytes, buffer, offset, length) && routes.get(r.replyTo) == r) {
                return r;
            }
        }
        final String replyTo = buffer.getStringWithoutLengthAscii(offset, length);
        Route route = routes.get(replyTo);
        if (route == null) {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            route = new Route(replyTo, bytes);
            routes.put(replyTo, route);
        }
        recent[nextRecent] = route;
        nextRecent = (nextRecent + 1) % RECENT;
        return route;
    }

    /** The route to {@code replyTo}. */
    Route route(String replyTo) {
        return routes.computeIfAbsent(replyTo, to -> new Route(to, to.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }

    /**
     * The publication of {@code route}, created on first use.
     *
     * @throws RuntimeException from Aeron if the publication cannot be added
     */
    ExclusivePublication publication(Route route) {
        ExclusivePublication p = route.publication;
        if (p == null) {
            p = aeron.addExclusivePublication(ClientProtocol.channel(route.replyTo), ClientProtocol.STREAM_ID);
            route.publication = p;
        }
        return p;
    }

    /** Drops a route whose publication is closed or unusable. */
    void remove(Route route) {
        if (routes.get(route.replyTo) == route) {
            routes.remove(route.replyTo);
        }
        forget(route);
    }

    private void forget(Route route) {
        CloseHelper.quietClose(route.publication);
        route.publication = null;
        for (int i = 0; i < RECENT; i++) {
            if (recent[i] == route) {
                recent[i] = null;
            }
        }
    }

    private static boolean same(byte[] bytes, DirectBuffer buffer, int offset, int length) {
        if (bytes.length != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (bytes[i] != buffer.getByte(offset + i)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        for (Route r : routes.values()) {
            CloseHelper.quietClose(r.publication);
            r.publication = null;
        }
        routes.clear();
        java.util.Arrays.fill(recent, null);
    }
}
