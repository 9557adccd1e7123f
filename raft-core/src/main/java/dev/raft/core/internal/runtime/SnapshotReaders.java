package dev.raft.core.internal.runtime;

import dev.raft.api.message.InstallSnapshotRequest;
import dev.raft.api.storage.SnapshotReader;
import dev.raft.api.storage.SnapshotStore;
import dev.raft.api.transport.Transport;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.agrona.MutableDirectBuffer;

/**
 * The open readers of the node's snapshots (the current one and older ones still being sent), by snapshot
 * id, and the sending of chunks read from them. Readers nobody uses any more are closed.
 */
final class SnapshotReaders implements AutoCloseable {
    private final int nodeId;
    private final SnapshotStore snapshotStore;
    private final Transport transport;
    private final Map<String, SnapshotReader> readers = new HashMap<>();
    private final InstallSnapshotRequest chunk = new InstallSnapshotRequest();

    SnapshotReaders(int nodeId, SnapshotStore snapshotStore, Transport transport) {
        this.nodeId = nodeId;
        this.snapshotStore = snapshotStore;
        this.transport = transport;
    }

    void add(SnapshotReader reader) {
        readers.put(reader.meta().snapshotId(), reader);
    }

    int size() {
        return readers.size();
    }

    /** Fills a chunk described by {@code header} with {@code length} bytes of its snapshot, and sends it. */
    void sendChunk(InstallSnapshotRequest header, int length) {
        final SnapshotReader reader = readerFor(header.snapshotId());
        chunk.setHeader(header.from(), header.to(), header.term(), header.meta(), header.chunkOffset(), header.isDone());
        final MutableDirectBuffer data = chunk.dataBuffer();
        data.checkLimit(length);
        final ByteBuffer dst = Buffers.view(data, length);
        long position = header.chunkOffset();
        while (dst.hasRemaining()) {
            final int n = reader.read(position, dst);
            if (n < 0) {
                throw new IllegalStateException("node " + nodeId + ": snapshot " + header.snapshotId() + " of "
                    + reader.size() + " bytes ends before " + (header.chunkOffset() + length));
            }
            position += n;
        }
        chunk.dataLength(length);
        transport.send(chunk);
    }

    private SnapshotReader readerFor(String snapshotId) {
        SnapshotReader reader = readers.get(snapshotId);
        if (reader == null) {
            final Optional<SnapshotReader> current = snapshotStore.current();
            if (current.isPresent() && current.get().meta().snapshotId().equals(snapshotId)) {
                reader = current.get();
                readers.put(snapshotId, reader);
            } else {
                current.ifPresent(r -> Closing.quietly(nodeId, r, "snapshot reader"));
                throw new IllegalStateException("node " + nodeId + ": snapshot " + snapshotId + " is no longer readable");
            }
        }
        return reader;
    }

    /** Closes the readers of snapshots not {@code inUse}. */
    void closeUnused(Predicate<String> inUse) {
        final Iterator<Map.Entry<String, SnapshotReader>> it = readers.entrySet().iterator();
        while (it.hasNext()) {
            final Map.Entry<String, SnapshotReader> e = it.next();
            if (!inUse.test(e.getKey())) {
                Closing.quietly(nodeId, e.getValue(), "snapshot reader");
                it.remove();
            }
        }
    }

    @Override
    public void close() {
        readers.values().forEach(r -> Closing.quietly(nodeId, r, "snapshot reader"));
        readers.clear();
    }
}
