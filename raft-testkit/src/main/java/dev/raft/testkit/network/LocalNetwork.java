package dev.raft.testkit.network;

import dev.raft.api.NodeId;
import dev.raft.api.message.MessageType;
import dev.raft.api.message.RaftMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

/**
 * The hub of an in-memory network: every {@link LocalTransport} registered here can reach the others.
 * Faults are set per directed link ({@code from -> to}) and apply to messages sent afterwards, and
 * partitions also to messages already in flight (checked again on delivery):
 * <ul>
 *   <li>{@link #drop(int, int, double)}: lose each message with a probability;</li>
 *   <li>{@link #duplicate(int, int, double)}: deliver each message twice with a probability;</li>
 *   <li>{@link #delay(int, int, long, long)}: deliver each message after a uniformly random delay (which
 *       also reorders messages);</li>
 *   <li>{@link #partition(int[]...)}, {@link #isolate(int)}: cut every link between groups;</li>
 *   <li>{@link #heal()}: remove every fault.</li>
 * </ul>
 * Random choices come from one seeded generator. Thread-safe: nodes send from their own threads. With a
 * manual clock and every node stepped from one thread, a run is deterministic (a seed replays it exactly).
 *
 * <p>Message copies are recycled once delivered or dropped (a handler may use a message only during its
 * call), so a long simulation does not allocate a copy, with its entry buffer, per message.
 */
public final class LocalNetwork {
    private final Map<Integer, LocalTransport> transports = new ConcurrentHashMap<>();
    private final Map<Long, LinkFaults> faults = new ConcurrentHashMap<>();
    private final Map<Integer, Integer> partitionOf = new ConcurrentHashMap<>();
    private final NanoClock clock;
    private final SplittableRandom random;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong duplicated = new AtomicLong();
    /** Free message copies, per {@link MessageType} ordinal. */
    private final List<ManyToManyConcurrentArrayQueue<RaftMessage>> free = new ArrayList<>();

    /** A network on the system clock with an arbitrary seed. */
    public LocalNetwork() {
        this(SystemNanoClock.INSTANCE, System.nanoTime());
    }

    /**
     * A network whose delays follow {@code clock} and whose drops and delays are drawn from {@code seed}.
     */
    public LocalNetwork(NanoClock clock, long seed) {
        this.clock = clock;
        this.random = new SplittableRandom(seed);
        for (int i = 0; i < MessageType.values().length; i++) {
            free.add(new ManyToManyConcurrentArrayQueue<>(1024));
        }
    }

    /** Fault settings of one directed link. */
    private record LinkFaults(double dropProbability, double duplicateProbability, long minDelayNanos,
                              long maxDelayNanos) {
        static final LinkFaults NONE = new LinkFaults(0, 0, 0, 0);
    }

    /**
     * Opens the transport of node {@code nodeId}.
     *
     * @throws IllegalStateException if a transport for that node is open
     */
    public LocalTransport register(int nodeId) {
        NodeId.require(nodeId, "LocalNetwork.register");
        final LocalTransport transport = new LocalTransport(this, nodeId);
        if (transports.putIfAbsent(nodeId, transport) != null) {
            throw new IllegalStateException("LocalNetwork.register: node " + nodeId + " already has an open transport;"
                + " close it first");
        }
        return transport;
    }

    void unregister(LocalTransport transport) {
        transports.remove(transport.localId(), transport);
    }

    /** Loses each message on {@code from -> to} with probability {@code probability} (0..1). */
    public void drop(int from, int to, double probability) {
        if (probability < 0 || probability > 1) {
            throw new IllegalArgumentException("LocalNetwork.drop: probability " + probability + " not in [0, 1]");
        }
        final LinkFaults f = faults.getOrDefault(link(from, to), LinkFaults.NONE);
        faults.put(link(from, to), new LinkFaults(probability, f.duplicateProbability, f.minDelayNanos, f.maxDelayNanos));
    }

    /** Delivers each message on {@code from -> to} twice with probability {@code probability} (0..1). */
    public void duplicate(int from, int to, double probability) {
        if (probability < 0 || probability > 1) {
            throw new IllegalArgumentException("LocalNetwork.duplicate: probability " + probability + " not in [0, 1]");
        }
        final LinkFaults f = faults.getOrDefault(link(from, to), LinkFaults.NONE);
        faults.put(link(from, to), new LinkFaults(f.dropProbability, probability, f.minDelayNanos, f.maxDelayNanos));
    }

    /** Delays each message on {@code from -> to} by a uniform random time in {@code [minMillis, maxMillis]}. */
    public void delay(int from, int to, long minMillis, long maxMillis) {
        if (minMillis < 0 || maxMillis < minMillis) {
            throw new IllegalArgumentException("LocalNetwork.delay: need 0 <= minMillis <= maxMillis, got ["
                + minMillis + ", " + maxMillis + "]");
        }
        final LinkFaults f = faults.getOrDefault(link(from, to), LinkFaults.NONE);
        faults.put(link(from, to), new LinkFaults(f.dropProbability, f.duplicateProbability,
            TimeUnit.MILLISECONDS.toNanos(minMillis), TimeUnit.MILLISECONDS.toNanos(maxMillis)));
    }

    /**
     * Splits the network: nodes in different groups cannot reach each other; nodes named in no group
     * form one more group together.
     */
    public void partition(int[]... groups) {
        partitionOf.clear();
        for (int g = 0; g < groups.length; g++) {
            for (int id : groups[g]) {
                partitionOf.put(id, g + 1);
            }
        }
    }

    /** Cuts every link to and from {@code nodeId} (on top of the current partition). */
    public void isolate(int nodeId) {
        partitionOf.put(nodeId, -nodeId);
    }

    /** Removes every fault: partitions, drops and delays. */
    public void heal() {
        partitionOf.clear();
        faults.clear();
    }

    /** Whether {@code from} can currently reach {@code to}. */
    public boolean connected(int from, int to) {
        return partitionOf.getOrDefault(from, 0).equals(partitionOf.getOrDefault(to, 0));
    }

    /** Messages handed to the network so far. */
    public long sentCount() {
        return sent.get();
    }

    /** Messages delivered twice so far. */
    public long duplicatedCount() {
        return duplicated.get();
    }

    /** Messages lost so far (by drop faults, partitions or an absent target). */
    public long droppedCount() {
        return dropped.get();
    }

    long now() {
        return clock.nanoTime();
    }

    /** Routes a copy of {@code message}; false if it was dropped. */
    boolean route(RaftMessage message) {
        sent.incrementAndGet();
        final int from = message.from();
        final int to = message.to();
        final LocalTransport target = transports.get(to);
        if (target == null || !connected(from, to)) {
            dropped.incrementAndGet();
            return false;
        }
        final LinkFaults f = faults.getOrDefault(link(from, to), LinkFaults.NONE);
        final long deliverAt;
        final long duplicateAt;
        synchronized (random) {
            if (f.dropProbability > 0 && random.nextDouble() < f.dropProbability) {
                dropped.incrementAndGet();
                return false;
            }
            deliverAt = deliveryTime(f);
            duplicateAt = f.duplicateProbability > 0 && random.nextDouble() < f.duplicateProbability ? deliveryTime(f) : -1;
        }
        target.enqueue(copyOf(message), deliverAt);
        if (duplicateAt >= 0) {
            duplicated.incrementAndGet();
            target.enqueue(copyOf(message), duplicateAt);
        }
        return true;
    }

    /** When a message sent now on a link with faults {@code f} arrives (0: at once). Holds the random's lock. */
    private long deliveryTime(LinkFaults f) {
        if (f.maxDelayNanos == 0) {
            return 0;
        }
        return clock.nanoTime() + f.minDelayNanos
            + (f.maxDelayNanos > f.minDelayNanos ? random.nextLong(f.maxDelayNanos - f.minDelayNanos + 1) : 0);
    }

    /** A detached copy of {@code message}, recycled if possible. */
    private RaftMessage copyOf(RaftMessage message) {
        final RaftMessage copy = free.get(message.type().ordinal()).poll();
        if (copy == null) {
            return message.copy();
        }
        copy.copyFrom(message);
        return copy;
    }

    /** Takes back a copy that was delivered or dropped; nothing may use it any more. */
    void recycle(RaftMessage copy) {
        free.get(copy.type().ordinal()).offer(copy);
    }

    /** Counts a message lost on delivery (its link was cut while it was in flight). */
    void droppedInFlight() {
        dropped.incrementAndGet();
    }

    private static long link(int from, int to) {
        return ((long) from << 32) | (to & 0xffffffffL);
    }
}
