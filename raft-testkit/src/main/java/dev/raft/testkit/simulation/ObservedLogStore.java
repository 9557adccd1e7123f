package dev.raft.testkit.simulation;

import dev.raft.api.EntryBatch;
import dev.raft.api.LogId;
import dev.raft.api.storage.FlushCallback;
import dev.raft.api.storage.LogStore;
import java.util.zip.CRC32C;
import org.agrona.DirectBuffer;

/** A log store that shows every append to the {@link InvariantChecker} (log matching) before delegating. */
final class ObservedLogStore extends ForwardingLogStore {
    private final int nodeId;
    private final InvariantChecker checker;
    private final CRC32C crc = new CRC32C();
    private byte[] scratch = new byte[256];

    ObservedLogStore(int nodeId, LogStore delegate, InvariantChecker checker) {
        super(delegate);
        this.nodeId = nodeId;
        this.checker = checker;
    }

    /** The CRC32C of an entry's type and payload, copying through {@code scratch}. */
    static long checksum(CRC32C crc, byte[] scratch, DirectBuffer payload, int offset, int length, int type) {
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
    public void purgeUpTo(LogId upTo) {
        super.purgeUpTo(upTo);
        checker.onPurge();
    }
}
