package dev.raft.testkit.simulation;

import dev.raft.api.EntryBatch;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.storage.FlushCallback;
import dev.raft.api.storage.LogStore;
import dev.raft.api.storage.SnapshotReader;
import dev.raft.api.storage.SnapshotSink;
import dev.raft.api.storage.SnapshotStore;
import dev.raft.testkit.conformance.StorageFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One node's disk when the simulation runs over a third party's stores: they are opened by its
 * {@link StorageFactory} on the node's directories and crashed by it ({@link StorageFactory#crash}), which
 * loses what the store had not made durable. To keep the run deterministic whatever the store's threads do,
 * the simulation waits after each step of the node until the store reported every append flushed
 * ({@link #awaitFlushed()}); so what a crash can lose is what the store wrote without reporting it.
 */
final class FactoryDisk {
    private static final long FLUSH_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final StorageFactory factory;
    private final Path logDir;
    private final Path snapshotDir;
    private Log log;
    private Snapshots snapshots;

    FactoryDisk(StorageFactory factory, Path nodeDir) {
        this.factory = factory;
        try {
            this.logDir = Files.createDirectories(nodeDir.resolve("log"));
            this.snapshotDir = Files.createDirectories(nodeDir.resolve("snapshots"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the node directories under " + nodeDir, e);
        }
    }

    LogStore openLog() throws Exception {
        log = new Log(factory.openLogStore(logDir));
        return log;
    }

    SnapshotStore openSnapshots() throws Exception {
        snapshots = new Snapshots(factory.openSnapshotStore(snapshotDir));
        return snapshots;
    }

    /** Crashes both stores through the factory; the node's later close() no longer reaches them. */
    void crash() throws Exception {
        log.dead = true;
        snapshots.dead = true;
        factory.crash(log.delegate, logDir);
        factory.crash(snapshots.delegate, snapshotDir);
    }

    /** Waits until the store has reported every held entry flushed. */
    void awaitFlushed() {
        log.awaitFlushed();
    }

    /** The log as the node sees it: appends tracked so that the simulation can wait for their flush. */
    private static final class Log extends ForwardingLogStore {
        private long appended;
        private long flushed;
        volatile boolean dead;

        Log(LogStore delegate) {
            super(delegate);
            final long last = delegate.lastLogId().index();
            appended = last;
            flushed = last;
        }

        @Override
        public void append(EntryBatch entries, FlushCallback callback) {
            delegate.append(entries, index -> {
                callback.onFlushed(index);
                reported(index);
            });
            synchronized (this) {
                appended = Math.max(appended, entries.lastIndex());
            }
        }

        private synchronized void reported(long index) {
            flushed = Math.max(flushed, index);
            notifyAll();
        }

        @Override
        public void truncateFrom(long index) {
            delegate.truncateFrom(index);
            synchronized (this) {
                appended = Math.min(appended, index - 1);
                flushed = Math.min(flushed, index - 1);
            }
        }

        @Override
        public void purgeUpTo(dev.raft.api.LogId upTo) {
            delegate.purgeUpTo(upTo);
            synchronized (this) {
                appended = Math.max(appended, upTo.index());
                flushed = Math.max(flushed, upTo.index());
            }
        }

        synchronized void awaitFlushed() {
            final long deadline = System.nanoTime() + FLUSH_TIMEOUT_NANOS;
            while (flushed < appended && !dead) {
                final long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("the log store did not report index " + appended
                        + " flushed within 30 s (reported " + flushed + "): " + delegate);
                }
                try {
                    wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted waiting for a flush", e);
                }
            }
        }

        @Override
        public void close() {
            if (!dead) {
                delegate.close();
            }
        }
    }

    /** The snapshot store as the node sees it: not closed again after a crash. */
    private static final class Snapshots implements SnapshotStore {
        final SnapshotStore delegate;
        volatile boolean dead;

        Snapshots(SnapshotStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public SnapshotSink begin(SnapshotMeta meta) {
            return delegate.begin(meta);
        }

        @Override
        public Optional<SnapshotReader> current() {
            return delegate.current();
        }

        @Override
        public void close() {
            if (!dead) {
                delegate.close();
            }
        }
    }
}
