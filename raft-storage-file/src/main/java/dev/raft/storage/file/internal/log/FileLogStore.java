package dev.raft.storage.file.internal.log;

import static dev.raft.storage.file.internal.segment.SegmentFormat.RECORD_HEADER_BYTES;

import dev.raft.api.EntryBatch;
import dev.raft.api.LogId;
import dev.raft.api.Vote;
import dev.raft.api.error.CorruptStorageException;
import dev.raft.api.error.StorageException;
import dev.raft.api.storage.FlushCallback;
import dev.raft.api.storage.LogStore;
import dev.raft.storage.file.DurabilityMode;
import dev.raft.storage.file.FileStorageConfig;
import dev.raft.storage.file.internal.StorageDirectory;
import dev.raft.storage.file.internal.segment.Segment;
import dev.raft.storage.file.internal.segment.SegmentAllocator;
import dev.raft.storage.file.internal.segment.SegmentFormat;
import dev.raft.storage.file.internal.vote.DualSlotFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.function.LongConsumer;
import java.util.concurrent.locks.StampedLock;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The segmented file log and vote of one node (see {@link LogStore} for the contract and
 * {@link SegmentFormat} for the format).
 *
 * <p>Threads: the writer (the caller of every method but {@link #read}) encodes appends into a reusable
 * direct buffer and writes them with positional writes into the active segment; the {@link LogFlusher} forces
 * the segments written since its last force and then tells the callbacks (group commit: appends made while
 * a force runs form the next batch). Without fsync ({@link DurabilityMode#NO_FSYNC}) there is no flusher thread:
 * the callback is told on the writer's thread at the end of each append. Readers ({@link LogReader}) take a shared
 * lock that truncation, purge and close take exclusively; appends need no lock, they publish new entries through
 * the volatile {@link #lastIndex}. Opening the store is {@link LogRecovery}; the segment files are {@link LogSegments};
 * the vote is a {@link SavedVote}.
 */
public final class FileLogStore implements LogStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileLogStore.class);

    /** The name of the vote file in the log directory. */
    public static final String VOTE_FILE = "vote";
    /** The name of the purge-point file in the log directory. */
    public static final String PURGED_FILE = "purged";

    private final FileStorageConfig config;
    private final StorageDirectory directory;
    private final String name;
    private final SavedVote voteFile;
    private final DualSlotFile purgedFile;
    private final SegmentAllocator allocator;
    private final TermRuns termRuns = new TermRuns();
    private final StampedLock readLock = new StampedLock();
    private final CRC32C writeCrc = new CRC32C();
    private final LogReader reader;
    private final ByteBuffer zeros = StorageDirectory.zeroBuffer();
    private final LogFlusher flusher;

    private final LogSegments segments;
    private volatile long lastIndex;
    private volatile long purgedIndex;
    private volatile boolean closed;
    private volatile StorageException failure;

    private ByteBuffer writeBuffer;
    private long lastTerm;
    private long purgedTerm;

    private FileLogStore(FileStorageConfig config, StorageDirectory directory, LongConsumer forceTimer) {
        this.config = config;
        this.directory = directory;
        this.name = "FileLogStore(" + directory.path() + ")";
        this.writeBuffer = ByteBuffer.allocateDirect(Math.min(config.writeBufferBytes(), config.segmentSizeBytes()))
            .order(ByteOrder.LITTLE_ENDIAN);
        this.reader = new LogReader(config.readBufferBytes());
        this.allocator = new SegmentAllocator(directory.path(), config.segmentSizeBytes(), config.preallocate(),
            "raft-log-prealloc-" + directory.path().getFileName());
        boolean ok = false;
        DualSlotFile purged = null;
        SavedVote votes = null;
        LogSegments recovered = null;
        try {
            LogRecovery.deleteTemporaryFiles(directory, name);
            purged = DualSlotFile.open(directory.path().resolve(PURGED_FILE), 0, 0);
            votes = SavedVote.open(directory.path().resolve(VOTE_FILE));
            this.purgedFile = purged;
            this.voteFile = votes;
            final LogRecovery.Recovered log = LogRecovery.recover(directory, name, config.segmentSizeBytes(),
                purged.first(), purged.second(), termRuns, zeros);
            recovered = new LogSegments(directory, allocator, config.segmentSizeBytes(),
                config.durabilityMode() == DurabilityMode.FSYNC, zeros, log.segments());
            this.segments = recovered;
            lastIndex = log.lastIndex();
            lastTerm = log.lastTerm();
            purgedIndex = log.purgedIndex();
            purgedTerm = log.purgedTerm();
            LOG.info("{}: opened with entries ({}, {}], {} segment(s), vote {}", name, purgedIndex, lastIndex,
                recovered.all().length, votes.vote());
            allocator.reserveNextSegment();
            ok = true;
        } finally {
            if (!ok) {
                StorageDirectory.closeQuietly(purged);
                StorageDirectory.closeQuietly(votes);
                if (recovered != null) {
                    recovered.closeAll();
                }
                allocator.close();
                directory.close();
            }
        }
        flusher = new LogFlusher(this, lastIndex, config.durabilityMode() == DurabilityMode.FSYNC,
            "raft-log-flusher-" + directory.path().getFileName(), forceTimer);
    }

    /**
     * Opens (creating if needed) the log in {@code directory}, recovering it from what is on disk.
     *
     * @throws CorruptStorageException naming the file and byte offset if the log is corrupt before its tail
     * @throws StorageException        if the directory is locked by another process, or on IO errors
     */
    public static FileLogStore open(Path directory, FileStorageConfig config) {
        return open(directory, config, nanos -> { });
    }

    /** Opens the log as {@link #open(Path, FileStorageConfig)} does; the flusher reports each force round's nanoseconds to {@code forceTimer}. */
    public static FileLogStore open(Path directory, FileStorageConfig config, LongConsumer forceTimer) {
        return new FileLogStore(config, StorageDirectory.lock(directory, "FileLogStore"), forceTimer);
    }

    // ------------------------------------------------------------------ writer

    @Override
    public LogId lastLogId() {
        ensureOpen();
        return LogId.of(lastTerm, lastIndex);
    }

    @Override
    public LogId lastPurgedLogId() {
        ensureOpen();
        return LogId.of(purgedTerm, purgedIndex);
    }

    @Override
    public long termAt(long index) {
        ensureOpen();
        if (index < purgedIndex || index > lastIndex) {
            throw new IllegalArgumentException("termAt: index " + index + " not in [" + purgedIndex + ", " + lastIndex + "]");
        }
        return index == purgedIndex ? purgedTerm : termRuns.termAt(index);
    }

    @Override
    public void append(EntryBatch entries, FlushCallback callback) {
        ensureUsable();
        if (entries == null || entries.isEmpty()) {
            throw new IllegalArgumentException("append: the batch is empty");
        }
        if (callback == null) {
            throw new IllegalArgumentException("append: the callback is null");
        }
        final long first = entries.firstIndex();
        if (first != lastIndex + 1) {
            throw new IllegalArgumentException("append: batch starts at index " + first + ", expected " + (lastIndex + 1));
        }
        if (entries.term(0) < lastTerm) {
            throw new IllegalArgumentException("append: batch starts with term " + entries.term(0)
                + ", lower than the last entry's term " + lastTerm + " (index " + lastIndex + ")");
        }
        final int n = entries.size();
        final int maxPayload = SegmentFormat.maxPayload(config.segmentSizeBytes());
        for (int i = 0; i < n; i++) {
            if (entries.payloadLength(i) > maxPayload) {
                throw new IllegalArgumentException("append: entry " + entries.index(i) + " has " + entries.payloadLength(i)
                    + " payload bytes; at most " + maxPayload + " fit in a segment of " + config.segmentSizeBytes() + " bytes");
            }
        }
        try {
            final int segmentSize = config.segmentSizeBytes();
            final org.agrona.MutableDirectBuffer payloads = entries.buffer();
            for (int i = 0; i < n; i++) {
                final int length = entries.payloadLength(i);
                final int recordBytes = RECORD_HEADER_BYTES + length;
                final long index = first + i;
                if (segments.active() == null || segments.active().end() + recordBytes > segmentSize) {
                    writeOut();
                    segments.roll(index);
                }
                if (writeBuffer.remaining() < recordBytes) {
                    writeOut();
                    if (writeBuffer.capacity() < recordBytes) {
                        writeBuffer = ByteBuffer.allocateDirect(recordBytes).order(ByteOrder.LITTLE_ENDIAN);
                    }
                }
                final int at = writeBuffer.position();
                if (length > 0) {
                    payloads.getBytes(entries.payloadOffset(i), writeBuffer, at + RECORD_HEADER_BYTES, length);
                }
                final long term = entries.term(i);
                SegmentFormat.completeRecord(writeBuffer, at, term, index, entries.type(i).code(), length, writeCrc);
                writeBuffer.position(at + recordBytes);
                segments.active().addRecord(recordBytes);
                termRuns.append(index, term);
            }
            writeOut();
        } catch (IOException e) {
            throw fail(name + ": append of entries [" + first + ", " + entries.lastIndex() + "] to " + segments.active().path()
                + " failed: " + e, e);
        } catch (StorageException e) {
            failure = e;
            throw e;
        }
        lastTerm = entries.lastTerm();
        flusher.owe(first, entries.lastIndex(), callback);
        lastIndex = entries.lastIndex();
        flusher.wake();
    }

    private void writeOut() throws IOException {
        final int buffered = writeBuffer.position();
        if (buffered == 0) {
            return;
        }
        writeBuffer.flip();
        final Segment active = segments.active();
        StorageDirectory.writeFully(active.channel(), writeBuffer, (long) active.end() - buffered);
        writeBuffer.clear();
    }

    @Override
    public void truncateFrom(long index) {
        ensureUsable();
        if (index <= purgedIndex || index > lastIndex + 1) {
            throw new IllegalArgumentException("truncateFrom: index " + index + " not in [" + (purgedIndex + 1) + ", "
                + (lastIndex + 1) + "]");
        }
        if (index == lastIndex + 1) {
            return;
        }
        final long stamp = readLock.writeLock();
        flusher.lock();
        try {
            segments.truncateFrom(index);
            termRuns.truncateFrom(index);
            lastTerm = index - 1 == purgedIndex ? purgedTerm : termRuns.termAt(index - 1);
            lastIndex = index - 1;
            flusher.truncatedFrom(index);
        } catch (IOException e) {
            throw fail(name + ": truncateFrom(" + index + ") failed: " + e, e);
        } finally {
            flusher.unlock();
            readLock.unlockWrite(stamp);
        }
        flusher.wake();
    }

    @Override
    public void purgeUpTo(LogId upTo) {
        ensureUsable();
        if (upTo == null) {
            throw new IllegalArgumentException("purgeUpTo: upTo is null");
        }
        if (upTo.index() <= purgedIndex) {
            return;
        }
        if (upTo.index() <= lastIndex && termAt(upTo.index()) != upTo.term()) {
            throw new IllegalArgumentException("purgeUpTo: " + upTo + " has term " + upTo.term() + " but entry "
                + upTo.index() + " has term " + termAt(upTo.index()));
        }
        final long stamp = readLock.writeLock();
        flusher.lock();
        try {
            purgedFile.write(upTo.term(), upTo.index());
            purgedIndex = upTo.index();
            purgedTerm = upTo.term();
            segments.purgeTo(upTo.index(), upTo.index() >= lastIndex);
            if (upTo.index() >= lastIndex) {
                termRuns.clear();
                lastTerm = upTo.term();
                lastIndex = upTo.index();
            } else {
                termRuns.purgeTo(upTo.index());
            }
        } catch (IOException e) {
            throw fail(name + ": purgeUpTo(" + upTo + ") failed: " + e, e);
        } finally {
            flusher.unlock();
            readLock.unlockWrite(stamp);
        }
        flusher.wake();
    }

    @Override
    public void saveVote(Vote newVote) {
        ensureUsable();
        try {
            voteFile.save(newVote);
        } catch (StorageException e) {
            failure = e;
            throw e;
        }
    }

    @Override
    public Vote readVote() {
        ensureOpen();
        return voteFile.vote();
    }

    // ------------------------------------------------------------------ readers

    @Override
    public int read(long fromIndex, long toIndexExclusive, int maxBytes, EntryBatch dst) {
        final long stamp = readLock.readLock();
        try {
            ensureOpen();
            final long last = lastIndex;
            final long purged = purgedIndex;
            if (fromIndex <= purged || toIndexExclusive > last + 1 || fromIndex > toIndexExclusive) {
                throw new IllegalArgumentException("read: range [" + fromIndex + ", " + toIndexExclusive + ") not within ["
                    + (purged + 1) + ", " + (last + 1) + ")");
            }
            return reader.read(segments.all(), fromIndex, toIndexExclusive, maxBytes, dst);
        } catch (IOException e) {
            throw StorageException.fatal(name + ": read [" + fromIndex + ", " + toIndexExclusive + ") failed: " + e, e);
        } finally {
            readLock.unlockRead(stamp);
        }
    }

    // ------------------------------------------------------------------ lifecycle

    /** Records the first failure (the store is unusable from then on), logs it and returns it for throwing. */
    StorageException fail(String message, Throwable cause) {
        final StorageException e = StorageException.fatal(message, cause);
        if (failure == null) {
            failure = e;
        }
        LOG.error("{}", message);
        return e;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(name + " is closed");
        }
    }

    private void ensureUsable() {
        ensureOpen();
        final StorageException f = failure;
        if (f != null) {
            throw new StorageException(name + " failed earlier and is unusable: " + f.getMessage(), true, f);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        flusher.stop();
        flusher.flushOnce();
        release();
    }

    /**
     * Stops as in a crash: the flusher stops without a last force, nothing more is written, and the files
     * and lock are released so that the directory can be reopened in this process. For tests.
     */
    public void crash() {
        crash(false);
    }

    /**
     * Stops as in a crash (see {@link #crash()}); with {@code dropUnflushed}, also loses what a machine
     * crash may lose: every entry after the last one reported flushed is zeroed or its segment deleted,
     * as if the page cache had never reached the disk. For tests.
     */
    public void crash(boolean dropUnflushed) {
        if (closed) {
            return;
        }
        flusher.stop();
        if (dropUnflushed) {
            flusher.lock();
            try {
                segments.dropAfter(flusher.flushedIndex());
            } catch (IOException e) {
                throw StorageException.fatal(name + ": simulated crash could not drop unflushed entries: " + e, e);
            } finally {
                flusher.unlock();
            }
        }
        release();
    }

    private void release() {
        final long stamp = readLock.writeLock();
        try {
            closed = true;
            segments.closeAll();
            allocator.close();
            voteFile.close();
            purgedFile.close();
            directory.close();
        } finally {
            readLock.unlockWrite(stamp);
        }
    }

    /** Waits until the background preallocation of the next segment is done (benchmarks; writer thread). */
    void awaitPreallocation() {
        allocator.awaitSpareReady();
    }

    /** The last index as readers see it; callable from any thread. */
    long publishedLastIndex() {
        return lastIndex;
    }

    /** The segments as they are now, oldest first; callable from any thread. */
    Segment[] segments() {
        return segments.all();
    }

    /** Whether an IO failure made the store unusable. */
    boolean hasFailed() {
        return failure != null;
    }

    @Override
    public String toString() {
        return name;
    }
}
