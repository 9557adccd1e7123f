package dev.raft.testkit.conformance;

import dev.raft.api.Entry;
import dev.raft.api.EntryBatch;
import dev.raft.api.LogId;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.Vote;
import dev.raft.api.storage.FlushCallback;
import dev.raft.api.storage.LogStore;
import dev.raft.api.storage.SnapshotReader;
import dev.raft.api.storage.SnapshotSink;
import dev.raft.api.storage.SnapshotStore;
import dev.raft.testkit.memory.FlushMode;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Deliberately broken stores: the in-memory ones with one defect each, which the suite must catch. */
final class BrokenStores {
    /** One defect, and the contracts a failure caused by it may name. */
    enum Defect {
        FLUSH_REPORTED_BEFORE_DURABLE(StorageContracts.FLUSH_DURABLE),
        OFF_BY_ONE_TRUNCATE(StorageContracts.TRUNCATE),
        PURGE_LEAVES_A_HOLE(StorageContracts.PURGE),
        VOTE_NOT_PERSISTED(StorageContracts.VOTE_DURABLE),
        CHUNK_AT_WRONG_OFFSET(StorageContracts.SINK_WRITE, StorageContracts.SINK_CONTIGUOUS),
        READ_RETURNS_TORN_ENTRIES(StorageContracts.READ_ENTRIES, StorageContracts.READ_CONCURRENT),
        LAST_LOG_ID_STALE_AFTER_TRUNCATE(StorageContracts.TRUNCATE, StorageContracts.LAST_LOG_ID),
        ACCEPTS_DECREASING_VOTE_TERM(StorageContracts.VOTE_LOWER),
        ACCEPTS_GAP_IN_APPEND(StorageContracts.APPEND_INDEX),
        CONTIGUOUS_BYTES_IGNORES_GAPS(StorageContracts.SINK_CONTIGUOUS),
        READ_IGNORES_MAX_BYTES(StorageContracts.READ_MAX_BYTES),
        STALE_FLUSH_REPORT_AFTER_TRUNCATE(StorageContracts.FLUSH_AFTER_TRUNCATE, StorageContracts.FLUSH_INCREASING),
        ACCEPTS_OLDER_SNAPSHOT(StorageContracts.FINISH_OLDER),
        // one per principle of issue #18
        /** Limits at their maximum: payloads above 64 KiB lose their tail. */
        LARGEST_ENTRY_CLIPPED(StorageContracts.LIMITS),
        /** Preconditions on both sides, after a reopen: termAt above the last index answers instead of throwing. */
        TERM_AT_UNCHECKED_AFTER_REOPEN(StorageContracts.TERM_AT_RANGE),
        /** Callbacks tied to their call: every flush is reported to the first append's callback only. */
        FLUSH_TELLS_ONLY_THE_FIRST_CALLBACK(StorageContracts.FLUSH_EVERY_CALLBACK),
        /** State after an injected failure: a failed sink write still counts in contiguousBytes. */
        FAILED_WRITE_COUNTED_AS_WRITTEN(StorageContracts.FAILURE_STATE),
        /** No leaked files: a snapshot refused as older leaves its bytes behind in the directory. */
        REFUSED_OLDER_LEAKS_A_FILE(StorageContracts.SNAPSHOT_FILES),
        /** Only documented exceptions: a finish that installed its snapshot throws StorageException while another sink is open. */
        FINISH_MISREPORTS_WITH_OTHER_SINKS_OPEN(StorageContracts.SNAPSHOT_THREADS, StorageContracts.FINISH,
            StorageContracts.FINISH_FAILED);

        final String[] contracts;

        Defect(String... contracts) {
            this.contracts = contracts;
        }
    }

    private BrokenStores() {
    }

    /** The in-memory factory, whose stores carry {@code defect}. */
    static final class Factory extends InMemoryStorageFactory {
        private final Defect defect;
        private final java.util.Set<Path> openedBefore = java.util.concurrent.ConcurrentHashMap.newKeySet();

        Factory(Defect defect) {
            super(defect == Defect.FLUSH_REPORTED_BEFORE_DURABLE ? FlushMode.MANUAL : FlushMode.IMMEDIATE);
            this.defect = defect;
        }

        @Override
        public LogStore openLogStore(Path dir) {
            return new BrokenLog(super.openLogStore(dir), defect, !openedBefore.add(dir));
        }

        @Override
        public SnapshotStore openSnapshotStore(Path dir) {
            return new BrokenSnapshots(super.openSnapshotStore(dir), defect, dir);
        }

        @Override
        public void crash(LogStore store, Path dir) {
            super.crash(((BrokenLog) store).delegate, dir);
        }

        @Override
        public void crashTearingUnflushed(LogStore store, Path dir) {
            super.crashTearingUnflushed(((BrokenLog) store).delegate, dir);
        }

        @Override
        public void crash(SnapshotStore store, Path dir) {
            super.crash(((BrokenSnapshots) store).delegate, dir);
        }

        @Override
        public void failNextSnapshotWrite(SnapshotStore store) {
            super.failNextSnapshotWrite(((BrokenSnapshots) store).delegate);
        }

        @Override
        public void failNextSnapshotFinish(SnapshotStore store) {
            super.failNextSnapshotFinish(((BrokenSnapshots) store).delegate);
        }

        @Override
        public String toString() {
            return "BrokenStores." + defect;
        }
    }

    private static final class BrokenLog implements LogStore {
        final LogStore delegate;
        private final Defect defect;
        private final Map<Long, Entry> firstAppended = new HashMap<>();
        private Vote vote = Vote.INITIAL;
        private LogId fakePurged;
        private LogId staleLast;
        private FlushCallback lastCallback;
        private FlushCallback firstCallback;
        private final boolean reopened;

        BrokenLog(LogStore delegate, Defect defect, boolean reopened) {
            this.delegate = delegate;
            this.defect = defect;
            this.reopened = reopened;
        }

        @Override
        public LogId lastLogId() {
            return staleLast != null ? staleLast : delegate.lastLogId();
        }

        @Override
        public LogId lastPurgedLogId() {
            return fakePurged != null ? fakePurged : delegate.lastPurgedLogId();
        }

        @Override
        public long termAt(long index) {
            final LogId last = lastLogId();
            if (defect == Defect.TERM_AT_UNCHECKED_AFTER_REOPEN && reopened && index > last.index()) {
                return last.term();
            }
            return delegate.termAt(index);
        }

        @Override
        public void append(EntryBatch entries, FlushCallback callback) {
            staleLast = null;
            if (defect == Defect.ACCEPTS_GAP_IN_APPEND && !entries.isEmpty()
                && entries.firstIndex() > delegate.lastLogId().index() + 1) {
                return;
            }
            for (int i = 0; i < entries.size(); i++) {
                firstAppended.putIfAbsent(entries.index(i), entries.entry(i).toEntry());
            }
            if (defect == Defect.FLUSH_REPORTED_BEFORE_DURABLE) {
                delegate.append(entries, index -> { });
                callback.onFlushed(entries.lastIndex());
                return;
            }
            lastCallback = callback;
            if (firstCallback == null) {
                firstCallback = callback;
            }
            if (defect == Defect.FLUSH_TELLS_ONLY_THE_FIRST_CALLBACK) {
                delegate.append(entries, firstCallback);
                return;
            }
            if (defect == Defect.LARGEST_ENTRY_CLIPPED) {
                final EntryBatch clipped = new EntryBatch(entries.payloadBytes() + 64);
                for (int i = 0; i < entries.size(); i++) {
                    final Entry e = entries.entry(i).toEntry();
                    final byte[] data = e.data().length > 64 * 1024 ? java.util.Arrays.copyOf(e.data(), 64 * 1024) : e.data();
                    clipped.add(e.term(), e.index(), e.type(), data);
                }
                delegate.append(clipped, callback);
                return;
            }
            delegate.append(entries, callback);
        }

        @Override
        public int read(long fromIndex, long toIndexExclusive, int maxBytes, EntryBatch dst) {
            if (defect == Defect.READ_IGNORES_MAX_BYTES) {
                return delegate.read(fromIndex, toIndexExclusive, Integer.MAX_VALUE, dst);
            }
            if (defect != Defect.READ_RETURNS_TORN_ENTRIES) {
                return delegate.read(fromIndex, toIndexExclusive, maxBytes, dst);
            }
            final EntryBatch fresh = new EntryBatch(256);
            final int n = delegate.read(fromIndex, toIndexExclusive, maxBytes, fresh);
            for (int i = 0; i < n; i++) {
                final Entry now = fresh.entry(i).toEntry();
                final Entry old = firstAppended.getOrDefault(now.index(), now);
                // the new entry's header with the payload of the first entry ever appended at its index
                dst.add(now.term(), now.index(), now.type(), old.data());
            }
            return n;
        }

        @Override
        public void truncateFrom(long index) {
            final LogId last = delegate.lastLogId();
            if (defect == Defect.OFF_BY_ONE_TRUNCATE && index <= last.index()) {
                delegate.truncateFrom(index + 1);
                return;
            }
            if (defect == Defect.LAST_LOG_ID_STALE_AFTER_TRUNCATE && index <= last.index()) {
                delegate.truncateFrom(index);
                staleLast = last;
                return;
            }
            delegate.truncateFrom(index);
            if (defect == Defect.STALE_FLUSH_REPORT_AFTER_TRUNCATE && index <= last.index() && lastCallback != null) {
                // a flush of the removed entries reported after the truncation returned
                lastCallback.onFlushed(last.index());
            }
        }

        @Override
        public void purgeUpTo(LogId upTo) {
            staleLast = null;
            final LogId last = delegate.lastLogId();
            if (defect == Defect.PURGE_LEAVES_A_HOLE && upTo.index() > delegate.lastPurgedLogId().index()
                && upTo.index() + 1 < last.index() && delegate.termAt(upTo.index()) == upTo.term()) {
                // removes one entry too many, but records the requested purge point
                delegate.purgeUpTo(LogId.of(delegate.termAt(upTo.index() + 1), upTo.index() + 1));
                fakePurged = upTo;
                return;
            }
            delegate.purgeUpTo(upTo);
            fakePurged = null;
        }

        @Override
        public void saveVote(Vote v) {
            final Vote saved = readVote();
            if (defect == Defect.ACCEPTS_DECREASING_VOTE_TERM && v.term() < saved.term()) {
                return;
            }
            if (defect != Defect.VOTE_NOT_PERSISTED) {
                delegate.saveVote(v);
                return;
            }
            if (v.term() < saved.term() || (v.term() == saved.term() && saved.hasVoted() && v.votedFor() != saved.votedFor())) {
                throw new IllegalArgumentException("saveVote: " + v + " after " + saved);
            }
            vote = v;
        }

        @Override
        public Vote readVote() {
            return defect == Defect.VOTE_NOT_PERSISTED ? vote : delegate.readVote();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    private static final class BrokenSnapshots implements SnapshotStore {
        final SnapshotStore delegate;
        private final Defect defect;
        private final Path dir;
        private final java.util.concurrent.atomic.AtomicInteger openSinks = new java.util.concurrent.atomic.AtomicInteger();

        BrokenSnapshots(SnapshotStore delegate, Defect defect, Path dir) {
            this.delegate = delegate;
            this.defect = defect;
            this.dir = dir;
        }

        @Override
        public SnapshotSink begin(SnapshotMeta meta) {
            final SnapshotSink sink = delegate.begin(meta);
            openSinks.incrementAndGet();
            return new SnapshotSink() {
                private long highest;
                private long failedBytes;
                private boolean done;

                @Override
                public SnapshotMeta meta() {
                    return sink.meta();
                }

                @Override
                public void write(long position, ByteBuffer src) {
                    highest = Math.max(highest, position + src.remaining());
                    if (defect == Defect.CHUNK_AT_WRONG_OFFSET && position > 0) {
                        sink.write(position - 1, src);
                        return;
                    }
                    final int length = src.remaining();
                    try {
                        sink.write(position, src);
                    } catch (dev.raft.api.error.StorageException e) {
                        failedBytes += length;
                        throw e;
                    }
                }

                @Override
                public long contiguousBytes() {
                    if (defect == Defect.FAILED_WRITE_COUNTED_AS_WRITTEN) {
                        return sink.contiguousBytes() + failedBytes;
                    }
                    return defect == Defect.CONTIGUOUS_BYTES_IGNORES_GAPS ? highest : sink.contiguousBytes();
                }

                @Override
                public SnapshotReader finish() {
                    final Optional<SnapshotReader> current = delegate.current();
                    if (defect == Defect.ACCEPTS_OLDER_SNAPSHOT && current.isPresent()
                        && current.get().meta().lastLogId().compareTo(sink.meta().lastLogId()) > 0) {
                        // silently drops the older snapshot instead of failing
                        sink.abort();
                        return current.get();
                    }
                    current.ifPresent(SnapshotReader::close);
                    final SnapshotReader finished;
                    try {
                        finished = sink.finish();
                    } catch (IllegalStateException refused) {
                        if (defect == Defect.REFUSED_OLDER_LEAKS_A_FILE) {
                            leak(sink.meta().snapshotId(), highest);
                        }
                        throw refused;
                    } finally {
                        closed();
                    }
                    if (defect == Defect.FINISH_MISREPORTS_WITH_OTHER_SINKS_OPEN && openSinks.get() > 0) {
                        finished.close();
                        throw dev.raft.api.error.StorageException.retryable("snapshot " + sink.meta().snapshotId()
                            + " could not be made durable; the previous snapshot is still current", null);
                    }
                    return finished;
                }

                @Override
                public void abort() {
                    closed();
                    sink.abort();
                }

                private void closed() {
                    if (!done) {
                        done = true;
                        openSinks.decrementAndGet();
                    }
                }
            };
        }

        /** Leaves {@code bytes} bytes in a file of the directory, as a store that forgets its temporary file. */
        private void leak(String id, long bytes) {
            try {
                java.nio.file.Files.write(dir.resolve("leaked-" + Math.abs(id.hashCode()) + ".tmp"), new byte[(int) bytes]);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public Optional<SnapshotReader> current() {
            return delegate.current();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
