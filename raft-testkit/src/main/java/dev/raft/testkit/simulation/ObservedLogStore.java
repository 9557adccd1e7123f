package dev.raft.testkit.simulation;

import dev.raft.api.EntryBatch;
import dev.raft.api.LogId;
import dev.raft.api.Vote;
import dev.raft.api.storage.FlushCallback;
import dev.raft.api.storage.LogStore;
import java.util.zip.CRC32C;

/** A log store that shows every append to the {@link InvariantChecker} (log matching) before delegating. */
final class ObservedLogStore implements LogStore {
    private final int nodeId;
    private final LogStore delegate;
    private final InvariantChecker checker;
    private final CRC32C crc = new CRC32C();
    private byte[] scratch = new byte[256];

    ObservedLogStore(int nodeId, LogStore delegate, InvariantChecker checker) {
        this.nodeId = nodeId;
        this.delegate = delegate;
        this.checker = checker;
    }

    /** The CRC32C of an entry's type and payload, copying through {@code scratch}. */
    static long checksum(CRC32C crc, byte[] scratch, org.agrona.DirectBuffer payload, int offset, int length, int type) {
        crc.reset();
        crc.update(type);
        payload.getBytes(offset, scratch, 0, length);
        crc.update(scratch, 0, length);
        return crc.getValue();
    }

    @Override
    public void append(EntryBatch entries, FlushCallback callback) {
        if (!entries.isEmpty()) {
            final long first = entries.firstIndex();
            final LogId last = delegate.lastLogId();
            long prevTerm = first == last.index() + 1 ? last.term() : -1;
            for (int i = 0; i < entries.size(); i++) {
                final int length = entries.payloadLength(i);
                if (scratch.length < length) {
                    scratch = new byte[Math.max(length, scratch.length * 2)];
                }
                final long sum = checksum(crc, scratch, entries.buffer(), entries.payloadOffset(i), length,
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
