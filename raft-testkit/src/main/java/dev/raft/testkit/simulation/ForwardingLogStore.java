package dev.raft.testkit.simulation;

import dev.raft.api.EntryBatch;
import dev.raft.api.LogId;
import dev.raft.api.Vote;
import dev.raft.api.storage.FlushCallback;
import dev.raft.api.storage.LogStore;

/** A log store that forwards every call to another; subclasses override what they observe or change. */
class ForwardingLogStore implements LogStore {
    /** The store calls are forwarded to. */
    protected final LogStore delegate;

    ForwardingLogStore(LogStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public void append(EntryBatch entries, FlushCallback callback) {
        delegate.append(entries, callback);
    }

    @Override
    public LogId lastLogId() {
        return delegate.lastLogId();
    }

    @Override
    public LogId lastPurgedLogId() {
        return delegate.lastPurgedLogId();
    }

    @Override
    public long termAt(long index) {
        return delegate.termAt(index);
    }

    @Override
    public int read(long fromIndex, long toIndexExclusive, int maxBytes, EntryBatch dst) {
        return delegate.read(fromIndex, toIndexExclusive, maxBytes, dst);
    }

    @Override
    public void truncateFrom(long index) {
        delegate.truncateFrom(index);
    }

    @Override
    public void purgeUpTo(LogId upTo) {
        delegate.purgeUpTo(upTo);
    }

    @Override
    public void saveVote(Vote vote) {
        delegate.saveVote(vote);
    }

    @Override
    public Vote readVote() {
        return delegate.readVote();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
