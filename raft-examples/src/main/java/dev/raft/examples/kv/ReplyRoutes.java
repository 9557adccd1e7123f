package dev.raft.examples.kv;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import java.util.LinkedHashMap;
import java.util.Map;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;

/**
 * The publications on which {@link ClientService} answers its clients, one per reply endpoint: found by the
 * endpoint's bytes in the request (no string is made for a client answered recently), asked of the media driver on
 * first use without waiting for it (the node thread never blocks on the driver: a new client's first answer waits,
 * like one to a publication not yet connected), at most {@value #MAX_ROUTES} (the least recently used one is
 * closed). Node thread only.
 */
final class ReplyRoutes implements AutoCloseable {
    static final int MAX_ROUTES = 256;
    private static final int RECENT = 8;
    private static final long NO_REGISTRATION = -1;

    /** A client's reply endpoint and the publication to it (null until first used, or after it failed). */
    static final class Route {
        final String replyTo;
        final byte[] bytes;
        ExclusivePublication publication;
        /** The driver's registration of the publication being added, or {@link #NO_REGISTRATION}. */
        long registrationId = NO_REGISTRATION;
        /** The source identity (an Aeron image's, kept by reference) whose host was last checked to own this endpoint. */
        String checkedSource;

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
     * The publication of {@code route}: asked of the driver on first use, null until the driver has added it.
     *
     * @throws RuntimeException from Aeron if the driver refused the publication (the next call asks again)
     */
    ExclusivePublication publication(Route route) {
        ExclusivePublication p = route.publication;
        if (p != null) {
            return p;
        }
        if (route.registrationId == NO_REGISTRATION) {
            route.registrationId = aeron.asyncAddExclusivePublication(ClientProtocol.channel(route.replyTo),
                ClientProtocol.STREAM_ID);
        }
        try {
            p = aeron.getExclusivePublication(route.registrationId);
        } catch (RuntimeException e) {
            route.registrationId = NO_REGISTRATION;
            throw e;
        }
        if (p != null) {
            route.publication = p;
            route.registrationId = NO_REGISTRATION;
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
        abandonRegistration(route);
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
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES) {
            if (buffer.getLong(offset + i, java.nio.ByteOrder.LITTLE_ENDIAN)
                != (long) LONGS.get(bytes, i)) {
                return false;
            }
        }
        for (; i < length; i++) {
            if (bytes[i] != buffer.getByte(offset + i)) {
                return false;
            }
        }
        return true;
    }

    private static final java.lang.invoke.VarHandle LONGS =
        java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    /** A publication still being added when its route is dropped is removed once the driver has it. */
    private void abandonRegistration(Route route) {
        if (route.registrationId != NO_REGISTRATION) {
            try {
                aeron.asyncRemovePublication(route.registrationId);
            } catch (RuntimeException e) {
                // the Aeron client is closed or the registration failed: nothing is left to remove
            }
            route.registrationId = NO_REGISTRATION;
        }
    }

    @Override
    public void close() {
        for (Route r : routes.values()) {
            CloseHelper.quietClose(r.publication);
            r.publication = null;
            abandonRegistration(r);
        }
        routes.clear();
        java.util.Arrays.fill(recent, null);
    }
}
