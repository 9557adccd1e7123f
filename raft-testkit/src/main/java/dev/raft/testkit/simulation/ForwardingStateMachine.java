package dev.raft.testkit.simulation;

import dev.raft.api.EntryView;
import dev.raft.api.LogId;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.statemachine.SnapshotWriter;
import dev.raft.api.statemachine.StateMachine;
import java.io.IOException;
import java.io.InputStream;
import org.agrona.DirectBuffer;

/** A state machine that forwards every call to another; subclasses override what they observe or change. */
class ForwardingStateMachine implements StateMachine {
    /** The state machine calls are forwarded to. */
    protected final StateMachine delegate;

    ForwardingStateMachine(StateMachine delegate) {
        this.delegate = delegate;
    }

    @Override
    public byte[] apply(EntryView entry) {
        return delegate.apply(entry);
    }

    @Override
    public byte[] query(DirectBuffer query, int offset, int length) {
        return delegate.query(query, offset, length);
    }

    @Override
    public LogId lastApplied() {
        return delegate.lastApplied();
    }

    @Override
    public SnapshotWriter takeSnapshot() {
        return delegate.takeSnapshot();
    }

    @Override
    public void restore(SnapshotMeta meta, InputStream data) throws IOException {
        delegate.restore(meta, data);
    }
}
