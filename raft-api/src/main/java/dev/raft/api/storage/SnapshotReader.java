package dev.raft.api.storage;

import dev.raft.api.SnapshotMeta;
import java.io.InputStream;
import java.nio.ByteBuffer;

/** Reads a finished snapshot. Valid until closed, even if a newer snapshot becomes current meanwhile. */
public interface SnapshotReader extends AutoCloseable {
    /** The snapshot's meta. */
    SnapshotMeta meta();

    /** The snapshot's size in bytes. */
    long size();

    /**
     * Reads bytes from {@code position} into {@code dst} until {@code dst} is full or the snapshot ends.
     *
     * @return the number of bytes read, or -1 if {@code position >= size()}
     */
    int read(long position, ByteBuffer dst);

    /** The whole snapshot as a stream from position 0. */
    InputStream openStream();

    /** Releases the reader. Idempotent. */
    @Override
    void close();
}
