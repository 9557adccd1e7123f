package dev.raft.testkit.simulation;

import dev.raft.api.EntryView;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.statemachine.StateMachine;
import dev.raft.testkit.statemachine.KvStateMachine;
import java.io.IOException;
import java.io.InputStream;

/**
 * Shows every applied entry and restored snapshot of one node to the {@link InvariantChecker} (state-machine
 * safety, by entry checksum and by the {@link KvStateMachine#digest()} reached). It delegates to
 * {@code delegate}, which is {@code kv} itself or a wrapper around it.
 */
final class ObservedStateMachine extends ForwardingStateMachine {
    private final int nodeId;
    private final KvStateMachine kv;
    private final InvariantChecker checker;
    private final EntryChecksum checksum = new EntryChecksum();

    ObservedStateMachine(int nodeId, StateMachine delegate, KvStateMachine kv, InvariantChecker checker) {
        super(delegate);
        this.nodeId = nodeId;
        this.kv = kv;
        this.checker = checker;
    }

    @Override
    public byte[] apply(EntryView entry) {
        final byte[] response = super.apply(entry);
        final long sum = checksum.of(entry.payload(), 0, entry.payloadLength(), entry.type().ordinal());
        checker.onApply(nodeId, entry.index(), entry.term(), sum, kv.digest());
        return response;
    }

    @Override
    public void restore(SnapshotMeta meta, InputStream data) throws IOException {
        super.restore(meta, data);
        checker.onRestore(nodeId, meta.lastLogId().index(), kv.digest());
    }
}
