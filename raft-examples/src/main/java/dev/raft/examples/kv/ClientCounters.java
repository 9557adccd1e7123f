package dev.raft.examples.kv;

import dev.raft.examples.kv.ClientService.Counter;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import org.agrona.DirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link ClientService} counts ({@link Counter}), readable from any thread, and the one log line for the first
 * dropped request or undeliverable answer of each kind (later ones are only counted). Written by the node thread
 * only: an increment is a plain read and a release write.
 */
final class ClientCounters {
    /** The service's logger: the lines keep the name they always had. */
    private static final Logger LOG = LoggerFactory.getLogger(ClientService.class);
    private static final int LOGGED_PREFIX_BYTES = 32;

    private final int nodeId;
    private final AtomicLongArray counters = new AtomicLongArray(Counter.values().length);
    private final boolean[] logged = new boolean[Counter.values().length];

    ClientCounters(int nodeId) {
        this.nodeId = nodeId;
    }

    /** Adds one to {@code counter}. */
    void count(Counter counter) {
        add(counter, 1);
    }

    /** Adds {@code n} to {@code counter}. */
    void add(Counter counter, long n) {
        final int i = counter.ordinal();
        counters.setRelease(i, counters.getPlain(i) + n); // one writer: the node thread
    }

    /**
     * Counts a request dropped for {@code counter}'s reason; the first of each reason is logged with its source and
     * a short escaped prefix of its bytes.
     */
    void droppedRequest(Counter counter, String source, DirectBuffer buffer, int offset, int length) {
        count(counter);
        if (firstOf(counter)) {
            LOG.warn("node {}: dropped a client request ({}) from {}: {}; further ones are only counted", nodeId,
                counter, source, ClientProtocol.escapedPrefix(buffer, offset, length, LOGGED_PREFIX_BYTES));
        }
    }

    /** Counts an answer that cannot be sent to {@code replyTo}; the first one is logged with {@code why}. */
    void droppedReply(String replyTo, String why) {
        count(Counter.REPLIES_DROPPED);
        if (firstOf(Counter.REPLIES_DROPPED)) {
            LOG.warn("node {}: cannot answer a client at {}: {}; further ones are only counted", nodeId, replyTo, why);
        }
    }

    /** Whether nothing of {@code counter}'s kind was logged yet; marks it logged. */
    private boolean firstOf(Counter counter) {
        if (logged[counter.ordinal()]) {
            return false;
        }
        logged[counter.ordinal()] = true;
        return true;
    }

    /** The current value of one counter. */
    long get(Counter counter) {
        return counters.get(counter.ordinal());
    }

    /** Every counter's current value. */
    Map<Counter, Long> snapshot() {
        final Map<Counter, Long> values = new EnumMap<>(Counter.class);
        for (Counter c : Counter.values()) {
            values.put(c, counters.get(c.ordinal()));
        }
        return values;
    }

    /** Requests dropped and answers not delivered so far (every counter of a dropped request, and REPLIES_DROPPED). */
    long dropped() {
        long sum = counters.get(Counter.REPLIES_DROPPED.ordinal());
        for (Counter c : Counter.values()) {
            if (c.isRequestOutcome() && c != Counter.COMMANDS && c != Counter.STATUS_REQUESTS && c != Counter.OVERSIZE
                && c != Counter.ADMIN_REQUESTS && c != Counter.READS) {
                sum += counters.get(c.ordinal());
            }
        }
        return sum;
    }
}
