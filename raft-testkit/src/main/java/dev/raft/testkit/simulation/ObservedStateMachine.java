package dev.raft.testkit.simulation;

import dev.raft.api.EntryView;
import dev.raft.api.LogId;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.statemachine.SnapshotWriter;
import dev.raft.api.statemachine.StateMachine;
import dev.raft.testkit.statemachine.KvStateMachine;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32C;

/**
 * Shows every applied entry and restored snapshot of one node to the {@link InvariantChecker} (state-machine
 * safety, by entry checksum and by the {@link KvStateMachine#digest()} reached). It delegates to
 * {@code delegate}, which is {@code kv} itself or a wrapper around it.
 */
final class ObservedStateMachine implements StateMachine {
    private final int nodeId;
    private final StateMachine delegate;
    private final KvStateMachine kv;
    private final InvariantChecker checker;
    private final CRC32C crc = new CRC32C();
    private byte[] scratch = new byte[256];

    ObservedStateMachine(int nodeId, StateMachine delegate, KvStateMachine kv, InvariantChecker checker) {
        this.nodeId = nodeId;
        this.delegate = delegate;
        this.kv = kv;
        this.checker = checker;
    }

    @Override
    public byte[] apply(EntryView entry) {
        final byte[] response = delegate.apply(entry);
        final int length = entry.payloadLength();
        if (scratch.length < length) {
            scratch = new byte[Math.max(length, scratch.length * 2)];
        }
        final long sum = ObservedLogStore.checksum(crc, scratch, entry.payload(), 0, length, entry.type().ordinal());
        checker.onApply(nodeId, entry.index(), entry.term(), sum, kv.digest());
        return response;
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
        checker.onRestore(nodeId, meta.lastLogId().index(), kv.digest());
    }
}
