package dev.raft.core.internal.runtime;

import dev.raft.api.SnapshotMeta;
import dev.raft.api.error.StorageException;
import dev.raft.api.storage.SnapshotReader;
import dev.raft.api.storage.SnapshotSink;
import dev.raft.api.storage.SnapshotStore;
import org.agrona.DirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The IO of a snapshot received from the leader: a {@link SnapshotSink} written positionally chunk by
 * chunk, then finished durably and restored into the state machine on the node thread.
 */
final class SnapshotReceiving implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotReceiving.class);

    private final int nodeId;
    private final SnapshotStore snapshotStore;
    private final Applier applier;
    private final SnapshotReaders readers;
    private SnapshotSink receiving;

    SnapshotReceiving(int nodeId, SnapshotStore snapshotStore, Applier applier, SnapshotReaders readers) {
        this.nodeId = nodeId;
        this.snapshotStore = snapshotStore;
        this.applier = applier;
        this.readers = readers;
    }

    void begin(SnapshotMeta meta) {
        abort();
        receiving = snapshotStore.begin(meta);
    }

    /** @return the contiguous bytes from 0 afterwards, or -1 if a retryable write failed (the stream is kept) */
    long write(long position, DirectBuffer data, int length) {
        try {
            receiving.write(position, Buffers.view(data, length));
        } catch (StorageException e) {
            if (e.isFatal()) {
                throw e;
            }
            LOG.warn("node {}: writing {} bytes at {} of snapshot {} failed: {}", nodeId, length, position,
                receiving.meta().snapshotId(), e.toString());
            return -1;
        }
        return receiving.contiguousBytes();
    }

    void abort() {
        if (receiving != null) {
            receiving.abort();
            receiving = null;
        }
    }

    /** Finishes the stream durably and installs it; false if it could not be made durable (nothing installed). */
    boolean install(SnapshotMeta meta) {
        final SnapshotSink sink = receiving;
        receiving = null;
        final SnapshotReader reader;
        try {
            reader = sink.finish();
        } catch (StorageException | IllegalStateException e) {
            if (e instanceof StorageException s && s.isFatal()) {
                throw e;
            }
            sink.abort();
            LOG.warn("node {}: finishing received snapshot {} failed: {}", nodeId, meta.snapshotId(), e.toString());
            return false;
        }
        applier.restore(reader);
        readers.add(reader);
        LOG.info("node {}: installed snapshot {} ({} bytes)", nodeId, meta.snapshotId(), reader.size());
        return true;
    }

    @Override
    public void close() {
        abort();
    }
}
