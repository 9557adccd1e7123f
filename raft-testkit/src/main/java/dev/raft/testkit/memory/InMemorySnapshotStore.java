package dev.raft.testkit.memory;

import com.google.common.collect.Range;
import com.google.common.collect.RangeSet;
import com.google.common.collect.TreeRangeSet;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.error.StorageException;
import dev.raft.api.storage.SnapshotReader;
import dev.raft.api.storage.SnapshotSink;
import dev.raft.api.storage.SnapshotStore;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link SnapshotStore} in memory, honouring every contract of the SPI. A finished snapshot lives on the
 * {@link InMemoryDisk} and survives {@link #crash()}; unfinished sinks do not. Fault injection:
 * {@link #failNextWrite()} and {@link #failNextFinish()}.
 *
 * <p>Thread-safe: the store synchronizes on the disk; each sink and reader is used by one thread at a time.
 */
public final class InMemorySnapshotStore implements SnapshotStore {
    /** The largest snapshot this store holds: the largest Java array, less headroom. */
    static final long MAX_SIZE = Integer.MAX_VALUE - 16;

    private final InMemoryDisk disk;
    private final Set<Sink> sinks = new HashSet<>();
    private String deadReason;
    private boolean failNextWrite;
    private boolean failNextFinish;

    InMemorySnapshotStore(InMemoryDisk disk) {
        this.disk = disk;
    }

    /** Makes the next {@link SnapshotSink#write} of any sink fail with a retryable {@link StorageException}. */
    public void failNextWrite() {
        synchronized (disk) {
            failNextWrite = true;
        }
    }

    /** Makes the next {@link SnapshotSink#finish()} of any sink fail with a {@link StorageException}. */
    public void failNextFinish() {
        synchronized (disk) {
            failNextFinish = true;
        }
    }

    /** The bytes written so far into sinks neither finished nor aborted (builds and transfers in progress). */
    public long unfinishedBytes() {
        synchronized (disk) {
            long bytes = 0;
            for (Sink sink : sinks) {
                for (Range<Long> r : sink.written.asRanges()) {
                    bytes += r.upperEndpoint() - r.lowerEndpoint();
                }
            }
            return bytes;
        }
    }

    /** Simulates a crash of this store alone: open sinks are lost, the current snapshot stays. */
    public void crash() {
        synchronized (disk) {
            die("crashed");
        }
    }

    @Override
    public SnapshotSink begin(SnapshotMeta meta) {
        if (meta == null) {
            throw new IllegalArgumentException("SnapshotStore.begin: meta must not be null");
        }
        synchronized (disk) {
            checkOpen("begin");
            final Sink sink = new Sink(meta);
            sinks.add(sink);
            return sink;
        }
    }

    @Override
    public Optional<SnapshotReader> current() {
        synchronized (disk) {
            checkOpen("current");
            return disk.currentSnapshot == null ? Optional.empty() : Optional.of(new Reader(disk.currentSnapshot));
        }
    }

    @Override
    public void close() {
        synchronized (disk) {
            if (deadReason == null) {
                die("closed");
            }
        }
    }

    private void die(String reason) {
        if (deadReason != null) {
            return;
        }
        deadReason = reason;
        for (Sink sink : sinks) {
            sink.state = "aborted (store " + reason + ")";
        }
        sinks.clear();
        disk.snapshotsClosed(this);
    }

    private void checkOpen(String operation) {
        if (deadReason != null) {
            throw new IllegalStateException("SnapshotStore." + operation + ": the store is " + deadReason);
        }
    }

    @Override
    public String toString() {
        synchronized (disk) {
            return "InMemorySnapshotStore{current=" + (disk.currentSnapshot == null ? "none" : disk.currentSnapshot.meta())
                + ", sinks=" + sinks.size() + (deadReason == null ? "" : ", " + deadReason) + "}";
        }
    }

    private final class Sink implements SnapshotSink {
        private final SnapshotMeta meta;
        private final RangeSet<Long> written = TreeRangeSet.create();
        private byte[] data = new byte[0];
        /** Null while open, else why the sink is no longer usable. Guarded by the disk. */
        private String state;

        Sink(SnapshotMeta meta) {
            this.meta = meta;
        }

        @Override
        public SnapshotMeta meta() {
            return meta;
        }

        @Override
        public void write(long position, ByteBuffer src) {
            if (src == null) {
                throw new IllegalArgumentException("SnapshotSink.write: src must not be null");
            }
            if (position < 0) {
                throw new IllegalArgumentException("SnapshotSink.write: position " + position + " of snapshot "
                    + meta.snapshotId() + " must be >= 0");
            }
            synchronized (disk) {
                checkUsable("write");
                final long end = position + src.remaining();
                if (failNextWrite) {
                    failNextWrite = false;
                    throw StorageException.retryable("SnapshotSink.write: injected failure writing " + src.remaining()
                        + " bytes at position " + position + " of snapshot " + meta.snapshotId(), null);
                }
                if (end > MAX_SIZE) {
                    throw StorageException.retryable("SnapshotSink.write: position " + end + " of snapshot "
                        + meta.snapshotId() + " exceeds the in-memory limit of " + MAX_SIZE + " bytes", null);
                }
                if (end > data.length) {
                    data = Arrays.copyOf(data, (int) Math.min(MAX_SIZE, Math.max(end, 2L * data.length)));
                }
                final int length = src.remaining();
                src.get(data, (int) position, length);
                if (length > 0) {
                    written.add(Range.closedOpen(position, end));
                }
            }
        }

        @Override
        public long contiguousBytes() {
            synchronized (disk) {
                final Range<Long> first = written.rangeContaining(0L);
                return first == null ? 0 : first.upperEndpoint();
            }
        }

        @Override
        public SnapshotReader finish() {
            synchronized (disk) {
                checkUsable("finish");
                final long size = written.isEmpty() ? 0 : written.span().upperEndpoint();
                if (size > 0 && !written.encloses(Range.closedOpen(0L, size))) {
                    throw new IllegalStateException("SnapshotSink.finish: snapshot " + meta.snapshotId() + " of "
                        + size + " bytes has unwritten gaps " + written.complement().subRangeSet(Range.closedOpen(0L, size)));
                }
                if (failNextFinish) {
                    failNextFinish = false;
                    throw StorageException.retryable("SnapshotSink.finish: injected failure making snapshot "
                        + meta.snapshotId() + " durable", null);
                }
                final InMemoryDisk.StoredSnapshot current = disk.currentSnapshot;
                if (current != null && meta.lastLogId().compareTo(current.meta().lastLogId()) < 0) {
                    state = "discarded (older than the current snapshot)";
                    sinks.remove(this);
                    throw new IllegalStateException("SnapshotSink.finish: snapshot " + meta.snapshotId() + " at "
                        + meta.lastLogId() + " is older than the current snapshot " + current.meta().snapshotId()
                        + " at " + current.meta().lastLogId() + "; discarded");
                }
                disk.currentSnapshot = new InMemoryDisk.StoredSnapshot(meta, Arrays.copyOf(data, (int) size));
                state = "finished";
                sinks.remove(this);
                data = null;
                return new Reader(disk.currentSnapshot);
            }
        }

        @Override
        public void abort() {
            synchronized (disk) {
                if (state == null) {
                    state = "aborted";
                    sinks.remove(this);
                    data = null;
                }
            }
        }

        private void checkUsable(String operation) {
            if (state != null) {
                throw new IllegalStateException("SnapshotSink." + operation + ": snapshot " + meta.snapshotId()
                    + " was " + state);
            }
        }
    }

    /** A reader of an immutable stored snapshot: stays valid when a newer snapshot becomes current. */
    private static final class Reader implements SnapshotReader {
        private final InMemoryDisk.StoredSnapshot snapshot;
        private volatile boolean closed;

        Reader(InMemoryDisk.StoredSnapshot snapshot) {
            this.snapshot = snapshot;
        }

        @Override
        public SnapshotMeta meta() {
            return snapshot.meta();
        }

        @Override
        public long size() {
            return snapshot.data().length;
        }

        @Override
        public int read(long position, ByteBuffer dst) {
            if (closed) {
                throw new IllegalStateException("SnapshotReader.read: reader of " + snapshot.meta().snapshotId() + " is closed");
            }
            if (position < 0) {
                throw new IllegalArgumentException("SnapshotReader.read: position " + position + " must be >= 0");
            }
            final byte[] data = snapshot.data();
            if (position >= data.length) {
                return -1;
            }
            final int n = (int) Math.min(dst.remaining(), data.length - position);
            dst.put(data, (int) position, n);
            return n;
        }

        @Override
        public InputStream openStream() {
            if (closed) {
                throw new IllegalStateException("SnapshotReader.openStream: reader of " + snapshot.meta().snapshotId()
                    + " is closed");
            }
            return new ByteArrayInputStream(snapshot.data());
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
