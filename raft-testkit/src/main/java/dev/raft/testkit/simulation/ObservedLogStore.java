package dev.raft.testkit.simulation;

import dev.raft.api.EntryBatch;
import dev.raft.api.LogId;
import dev.raft.api.storage.FlushCallback;
import dev.raft.api.storage.LogStore;

/** A log store that shows every append to the {@link InvariantChecker} (log matching) before delegating. */
final class ObservedLogStore extends ForwardingLogStore {
    private final int nodeId;
    private final InvariantChecker checker;
    private final EntryChecksum checksum = new EntryChecksum();

    ObservedLogStore(int nodeId, LogStore delegate, InvariantChecker checker) {
        super(delegate);
        this.nodeId = nodeId;
        this.checker = checker;
    }

    @Override
    public void append(EntryBatch entries, FlushCallback callback) {
        if (!entries.isEmpty()) {
            final long first = entries.firstIndex();
            final LogId last = delegate.lastLogId();
            long prevTerm = first == last.index() + 1 ? last.term() : -1;
            for (int i = 0; i < entries.size(); i++) {
                final long sum = checksum.of(entries.buffer(), entries.payloadOffset(i), entries.payloadLength(i),
                    entries.type(i).ordinal());
                if (prevTerm >= 0) {
                    checker.onAppend(nodeId, entries.index(i), entries.term(i), prevTerm, sum);
                }
                prevTerm = entries.term(i);
            }
        }
        delegate.append(entries, callback);
    }

    @Override
    public void purgeUpTo(LogId upTo) {
        super.purgeUpTo(upTo);
        checker.onPurge();
    }
}
