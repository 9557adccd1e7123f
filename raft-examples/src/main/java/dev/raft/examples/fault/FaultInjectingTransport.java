package dev.raft.examples.fault;

import dev.raft.api.Membership;
import dev.raft.api.message.RaftMessage;
import dev.raft.api.transport.MessageHandler;
import dev.raft.api.transport.Transport;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Transport} that loses messages by {@link FaultRules} before they reach the real transport
 * (sending) or the node (receiving), as a broken network would. A lost send still reports success: the
 * sender of a datagram cannot tell it was lost. The rules change at run time from any thread
 * ({@link #rules(FaultRules)}); the node's thread reads them once per message and allocates nothing.
 */
public final class FaultInjectingTransport implements Transport {
    private final Transport delegate;
    private final AtomicLong lostOut = new AtomicLong();
    private final AtomicLong lostIn = new AtomicLong();
    private final MessageHandler filter = this::deliver;
    private volatile FaultRules rules = FaultRules.NONE;
    private FaultRules pollRules = FaultRules.NONE;
    private MessageHandler pollHandler;
    private int delivered;

    /** Wraps {@code delegate}, losing nothing until rules are set. */
    public FaultInjectingTransport(Transport delegate) {
        this.delegate = Objects.requireNonNull(delegate, "FaultInjectingTransport: delegate");
    }

    /** Replaces the rules; takes effect with the next message sent or received. */
    public void rules(FaultRules newRules) {
        rules = Objects.requireNonNull(newRules, "FaultInjectingTransport: rules");
    }

    /** The rules in force. */
    public FaultRules rules() {
        return rules;
    }

    /** Messages lost on the way out since start. */
    public long lostOut() {
        return lostOut.get();
    }

    /** Messages lost on the way in since start. */
    public long lostIn() {
        return lostIn.get();
    }

    @Override
    public int localId() {
        return delegate.localId();
    }

    @Override
    public boolean send(RaftMessage message) {
        if (rules.losesTo(message.to())) {
            lostOut.incrementAndGet();
            return true;
        }
        return delegate.send(message);
    }

    @Override
    public int poll(MessageHandler handler, int limit) {
        final FaultRules current = rules;
        if (current.losesNothingIn()) {
            return delegate.poll(handler, limit);
        }
        pollRules = current;
        pollHandler = handler;
        delivered = 0;
        try {
            delegate.poll(filter, limit);
        } finally {
            pollHandler = null;
        }
        return delivered;
    }

    private void deliver(RaftMessage message) {
        if (pollRules.losesFrom(message.from())) {
            lostIn.incrementAndGet();
            return;
        }
        delivered++;
        pollHandler.onMessage(message);
    }

    @Override
    public void updateMembership(Membership membership) {
        delegate.updateMembership(membership);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
