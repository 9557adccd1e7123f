package dev.raft.testkit.cluster;

import dev.raft.api.Membership;
import dev.raft.api.RaftNode;
import dev.raft.api.Role;
import dev.raft.api.message.RaftMessage;
import dev.raft.api.transport.MessageHandler;
import dev.raft.api.transport.Transport;
import java.time.Duration;
import java.util.List;

/** A transport that forwards every call to another; tests override {@link #poll} to watch or change it. */
class ForwardingTransport implements Transport {
    private final Transport delegate;

    ForwardingTransport(Transport delegate) {
        this.delegate = delegate;
    }

    @Override
    public int localId() {
        return delegate.localId();
    }

    @Override
    public boolean send(RaftMessage message) {
        return delegate.send(message);
    }

    @Override
    public int poll(MessageHandler handler, int limit) {
        return delegate.poll(handler, limit);
    }

    @Override
    public void updateMembership(Membership membership) {
        delegate.updateMembership(membership);
    }

    @Override
    public void close() {
        delegate.close();
    }

    /** Waits for one of {@code nodes} to lead. */
    static RaftNode awaitLeader(List<RaftNode> nodes, Duration timeout) throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (RaftNode n : nodes) {
                if (n.metrics().role() == Role.LEADER) {
                    return n;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no leader within " + timeout);
    }
}
