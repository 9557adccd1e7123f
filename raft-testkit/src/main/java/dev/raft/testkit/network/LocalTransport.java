package dev.raft.testkit.network;

import dev.raft.api.Membership;
import dev.raft.api.message.RaftMessage;
import dev.raft.api.transport.MessageHandler;
import dev.raft.api.transport.Transport;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One node's end of a {@link LocalNetwork}. {@link #send} copies the message into the target's inbox (or
 * drops it, per the network's faults); {@link #poll} delivers, on the caller's thread, the messages whose
 * delay has passed, in delivery-time order. Messages from non-members (after {@link #updateMembership})
 * or addressed to another node are dropped and counted, never delivered — but a leader's AppendEntries and
 * InstallSnapshot requests, which reach a node that joins (or catches up from an older configuration) before it
 * knows the configuration that names the leader; the engine decides on those. {@link #updateMembership} takes
 * effect at once, at run time.
 */
public final class LocalTransport implements Transport {
    private final LocalNetwork network;
    private final int localId;
    private final ConcurrentLinkedQueue<Envelope> inbox = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Envelope> delayed = new PriorityQueue<>();
    private final AtomicLong rejected = new AtomicLong();
    private volatile Membership membership;
    private volatile boolean closed;
    private long sequence;

    LocalTransport(LocalNetwork network, int localId) {
        this.network = network;
        this.localId = localId;
    }

    /** A message in flight, ordered by delivery time then by arrival. */
    private record Envelope(long deliverAt, long sequence, RaftMessage message) implements Comparable<Envelope> {
        @Override
        public int compareTo(Envelope o) {
            final int byTime = Long.compare(deliverAt, o.deliverAt);
            return byTime != 0 ? byTime : Long.compare(sequence, o.sequence);
        }
    }

    @Override
    public int localId() {
        return localId;
    }

    @Override
    public boolean send(RaftMessage message) {
        if (closed) {
            throw new IllegalStateException("LocalTransport of node " + localId + " is closed");
        }
        return network.route(message);
    }

    void enqueue(RaftMessage copy, long deliverAt) {
        if (!closed) {
            inbox.add(new Envelope(deliverAt, 0, copy));
        }
    }

    @Override
    public int poll(MessageHandler handler, int limit) {
        Envelope e;
        while ((e = inbox.poll()) != null) {
            delayed.add(new Envelope(e.deliverAt, sequence++, e.message));
        }
        if (delayed.isEmpty()) {
            return 0;
        }
        final long now = network.now();
        int delivered = 0;
        while (delivered < limit && !delayed.isEmpty() && delayed.peek().deliverAt - now <= 0) {
            final RaftMessage m = delayed.poll().message;
            if (!network.connected(m.from(), localId)) {
                network.droppedInFlight();
                network.recycle(m);
                continue;
            }
            final Membership members = membership;
            if (m.to() != localId || members == null || (!members.contains(m.from()) && !fromAnyLeader(m))) {
                rejected.incrementAndGet();
                network.recycle(m);
                continue;
            }
            try {
                handler.onMessage(m);
            } finally {
                network.recycle(m);
            }
            delivered++;
        }
        return delivered;
    }

    private static boolean fromAnyLeader(RaftMessage m) {
        return m.type() == dev.raft.api.message.MessageType.APPEND_ENTRIES_REQUEST
            || m.type() == dev.raft.api.message.MessageType.INSTALL_SNAPSHOT_REQUEST;
    }

    @Override
    public void updateMembership(Membership membership) {
        this.membership = membership;
    }

    /** Messages refused on arrival (from a non-member or for another node). */
    public long rejectedCount() {
        return rejected.get();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            network.unregister(this);
            inbox.clear();
        }
    }

    @Override
    public String toString() {
        return "LocalTransport{node=" + localId + (closed ? " closed" : "") + "}";
    }
}
