package dev.raft.storage.file.internal.snapshot;

import dev.raft.api.SnapshotMeta;
import dev.raft.api.error.StorageException;
import dev.raft.api.storage.SnapshotReader;
import dev.raft.api.storage.SnapshotSink;
import dev.raft.storage.file.internal.StorageDirectory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * A snapshot being written into a temporary file with positional writes. Tracks the written byte ranges
 * (merged) so that it knows its contiguous prefix and can refuse to finish with a gap.
 */
final class FileSnapshotSink implements SnapshotSink {
    private final FileSnapshotStore store;
    private final SnapshotMeta meta;
    private final Path temp;
    private final FileChannel channel;
    private final int dataOffset;
    /** Written ranges, start to end (exclusive), merged and disjoint. */
    private final TreeMap<Long, Long> written = new TreeMap<>();
    private boolean finished;
    private boolean aborted;

    FileSnapshotSink(FileSnapshotStore store, SnapshotMeta meta, Path temp, FileChannel channel, int dataOffset) {
        this.store = store;
        this.meta = meta;
        this.temp = temp;
        this.channel = channel;
        this.dataOffset = dataOffset;
    }

    @Override
    public SnapshotMeta meta() {
        return meta;
    }

    @Override
    public synchronized void write(long position, ByteBuffer src) {
        if (position < 0) {
            throw new IllegalArgumentException("SnapshotSink.write: position " + position + " is negative (snapshot "
                + meta.snapshotId() + ")");
        }
        ensureWritable();
        final int n = src.remaining();
        if (n == 0) {
            return;
        }
        final int start = src.position();
        try {
            if (store.takeWriteFault()) {
                throw new IOException("injected write fault");
            }
            StorageDirectory.writeFully(channel, src, dataOffset + position);
        } catch (IOException e) {
            src.position(start);
            throw StorageException.retryable("snapshot " + meta.snapshotId() + ": write of " + n + " bytes at position "
                + position + " to " + temp + " failed: " + e, e);
        }
        addRange(position, position + n);
    }

    private void addRange(long from, long to) {
        long start = from;
        long end = to;
        final Map.Entry<Long, Long> before = written.floorEntry(start);
        if (before != null && before.getValue() >= start) {
            start = before.getKey();
            end = Math.max(end, before.getValue());
        }
        Map.Entry<Long, Long> next = written.ceilingEntry(start);
        while (next != null && next.getKey() <= end) {
            end = Math.max(end, next.getValue());
            written.remove(next.getKey());
            next = written.ceilingEntry(start);
        }
        written.put(start, end);
    }

    @Override
    public synchronized long contiguousBytes() {
        final Long end = written.get(0L);
        return end == null ? 0 : end;
    }

    @Override
    public synchronized SnapshotReader finish() {
        ensureWritable();
        final long size;
        if (written.isEmpty()) {
            size = 0;
        } else if (written.size() > 1 || written.firstKey() != 0) {
            final long gapStart = written.firstKey() != 0 ? 0 : written.firstEntry().getValue();
            final Long gapEnd = written.higherKey(gapStart);
            throw new IllegalStateException("snapshot " + meta.snapshotId() + ": cannot finish, bytes [" + gapStart + ", "
                + (gapEnd == null ? written.firstKey() : gapEnd) + ") were never written");
        } else {
            size = written.firstEntry().getValue();
        }
        try {
            if (store.takeFinishFault()) {
                throw new IOException("injected finish fault");
            }
            final int dataCrc = SnapshotFile.dataCrc(channel, dataOffset, size);
            StorageDirectory.writeFully(channel, SnapshotFile.encodeHeader(meta, size, dataCrc), 0);
            channel.truncate(dataOffset + size);
            channel.force(true);
            channel.close();
        } catch (IOException e) {
            abort();
            throw StorageException.retryable("snapshot " + meta.snapshotId() + ": could not be made durable in " + temp
                + "; the previous snapshot is still current: " + e, e);
        }
        final SnapshotReader reader;
        try {
            reader = store.install(this, temp);
        } catch (IllegalStateException e) {
            abort();
            throw e;
        } catch (StorageException e) {
            if (e.isRetryable()) {
                abort();
            } else {
                finished = true; // in place as the current snapshot, but not known durable: the message says which step failed
            }
            throw e;
        }
        finished = true;
        return reader;
    }

    @Override
    public synchronized void abort() {
        if (finished || aborted) {
            return;
        }
        aborted = true;
        StorageDirectory.closeQuietly(channel);
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // a leftover temporary file is deleted on the next open
        }
        store.forget(this);
    }

    /** Closes the channel and keeps the temporary file, as a crash would. */
    synchronized void crash() {
        aborted = true;
        StorageDirectory.closeQuietly(channel);
    }

    private void ensureWritable() {
        if (finished) {
            throw new IllegalStateException("snapshot " + meta.snapshotId() + ": the sink is finished");
        }
        if (aborted) {
            throw new IllegalStateException("snapshot " + meta.snapshotId() + ": the sink is aborted");
        }
    }

    @Override
    public String toString() {
        return "FileSnapshotSink{" + meta.snapshotId() + ", " + temp.getFileName() + "}";
    }
}
