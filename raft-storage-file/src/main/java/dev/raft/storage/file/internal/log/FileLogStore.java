package dev.raft.storage.file.internal.log;

import static dev.raft.storage.file.internal.segment.SegmentFormat.CRC_OFFSET;
import static dev.raft.storage.file.internal.segment.SegmentFormat.INDEX_OFFSET;
import static dev.raft.storage.file.internal.segment.SegmentFormat.LENGTH_OFFSET;
import static dev.raft.storage.file.internal.segment.SegmentFormat.RECORD_HEADER_BYTES;
import static dev.raft.storage.file.internal.segment.SegmentFormat.TERM_OFFSET;
import static dev.raft.storage.file.internal.segment.SegmentFormat.TYPE_OFFSET;

import dev.raft.api.EntryBatch;
import dev.raft.api.EntryType;
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
import dev.raft.storage.file.internal.segment.SegmentScanner;
import dev.raft.storage.file.internal.vote.DualSlotFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.StampedLock;
import java.util.zip.CRC32C;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The segmented file log and vote of one node (see {@link LogStore} for the contract and
 * {@link SegmentFormat} for the format).
 *
 * <p>Threads: the writer (the caller of every method but {@link #read}) encodes appends into a reusable
 * direct buffer and writes them with positional writes into the active segment; a flusher thread forces
 * the segments written since its last force and then tells the callbacks (group commit: appends made while
 * a force runs form the next batch). Without fsync ({@link DurabilityMode#NO_FSYNC}) there is no flusher:
 * the callback is told on the writer's thread at the end of each append. Readers take a shared lock that truncation, purge and close take
 * exclusively; appends need no lock, they publish new entries through the volatile {@link #lastIndex}.
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
    private final DualSlotFile voteFile;
    private final DualSlotFile purgedFile;
    private final SegmentAllocator allocator;
    private final TermRuns termRuns = new TermRuns();
    private final CallbackRuns callbacks = new CallbackRuns();
    private final StampedLock readLock = new StampedLock();
    private final ReentrantLock flushLock = new ReentrantLock();
    private final CRC32C writeCrc = new CRC32C();
    private final ThreadLocal<ReadContext> readContexts;
    private final ByteBuffer zeros = StorageDirectory.zeroBuffer();
    private final Thread flusher;

    private volatile Segment[] segments;
    private volatile long lastIndex;
    private volatile long purgedIndex;
    private final LongConsumer forceTimer;
    private volatile boolean running = true;
    private volatile boolean flusherIdle;
    private volatile boolean closed;
    private volatile StorageException failure;

    private ByteBuffer writeBuffer;
    private Segment active;
    private long lastTerm;
    private long purgedTerm;
    private Vote vote;
    /** Guarded by {@link #flushLock}. */
    private long flushedIndex;

    private FileLogStore(FileStorageConfig config, StorageDirectory directory, LongConsumer forceTimer) {
        this.config = config;
        this.forceTimer = forceTimer;
        this.directory = directory;
        this.name = "FileLogStore(" + directory.path() + ")";
        this.writeBuffer = ByteBuffer.allocateDirect(Math.min(config.writeBufferBytes(), config.segmentSizeBytes()))
            .order(ByteOrder.LITTLE_ENDIAN);
        this.readContexts = ThreadLocal.withInitial(() -> new ReadContext(config.readBufferBytes()));
        this.allocator = new SegmentAllocator(directory.path(), config.segmentSizeBytes(), config.preallocate(),
            "raft-log-prealloc-" + directory.path().getFileName());
        boolean ok = false;
        DualSlotFile purged = null;
        DualSlotFile votes = null;
        try {
            deleteTemporaryFiles();
            purged = DualSlotFile.open(directory.path().resolve(PURGED_FILE), 0, 0);
            votes = DualSlotFile.open(directory.path().resolve(VOTE_FILE), 0, 0);
            this.purgedFile = purged;
            this.voteFile = votes;
            if (votes.first() < 0 || votes.second() < 0 || votes.second() > Integer.MAX_VALUE) {
                throw new CorruptStorageException(votes.file().toString(), 0, "vote holds term " + votes.first()
                    + " votedFor " + votes.second());
            }
            this.vote = new Vote(votes.first(), (int) votes.second());
            recover();
            allocator.reserveNextSegment();
            ok = true;
        } finally {
            if (!ok) {
                StorageDirectory.closeQuietly(purged);
                StorageDirectory.closeQuietly(votes);
                if (segments != null) {
                    for (Segment s : segments) {
                        s.close();
                    }
                }
                allocator.close();
                directory.close();
            }
        }
        if (config.durabilityMode() == DurabilityMode.FSYNC) {
            flusher = new Thread(this::runFlusher, "raft-log-flusher-" + directory.path().getFileName());
            flusher.setDaemon(true);
            flusher.start();
        } else {
            flusher = null;
        }
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

    // ------------------------------------------------------------------ recovery

    private void deleteTemporaryFiles() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory.path(), "*.tmp")) {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw StorageException.fatal(name + ": cannot delete temporary files: " + e, e);
        }
    }

    private void recover() {
        purgedTerm = purgedFile.first();
        purgedIndex = purgedFile.second();
        final long purged = purgedIndex;
        final List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory.path(), "*" + SegmentFormat.SUFFIX)) {
            for (Path f : stream) {
                if (SegmentFormat.parseFirstIndex(f) >= 0) {
                    files.add(f);
                }
            }
        } catch (IOException e) {
            throw StorageException.fatal(name + ": cannot list segments: " + e, e);
        }
        files.sort(Comparator.comparingLong(SegmentFormat::parseFirstIndex));
        try {
            // complete an interrupted purge: segments whose successor starts at or below purged + 1
            int from = 0;
            while (from + 1 < files.size() && SegmentFormat.parseFirstIndex(files.get(from + 1)) <= purged + 1) {
                Files.delete(files.get(from));
                from++;
            }
            final List<Segment> recovered = new ArrayList<>();
            segments = new Segment[0];
            long prevTerm = purgedTerm;
            long expectedFirst = purged + 1;
            final CRC32C crc = new CRC32C();
            for (int k = from; k < files.size(); k++) {
                final Path file = files.get(k);
                final long first = SegmentFormat.parseFirstIndex(file);
                final FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                final Segment seg = new Segment(file, channel, first, 0);
                recovered.add(seg);
                segments = recovered.toArray(new Segment[0]);
                if (k == from ? first > expectedFirst : first != expectedFirst) {
                    throw new CorruptStorageException(file.toString(), 0, "segment starts at index " + first
                        + " but the log continues at index " + expectedFirst
                        + (k == from ? " (after purged index " + purged + ")" : " (after " + files.get(k - 1).getFileName() + ")")
                        + ": a segment is missing or the indexes have a gap");
                }
                final SegmentScanner.Result r = SegmentScanner.scan(seg, k == from && first - 1 != purged ? 0 : prevTerm,
                    (index, term) -> {
                        if (index > purged) {
                            termRuns.append(index, term);
                        }
                    }, crc);
                if (r.headerProblem != null) {
                    throw new CorruptStorageException(file.toString(), 0, r.headerProblem);
                }
                final boolean tail = k == files.size() - 1;
                if (r.problem != null) {
                    if (!tail) {
                        throw new CorruptStorageException(file.toString(), r.recordsEnd, r.problem
                            + " in a segment before the last one (" + files.get(files.size() - 1).getFileName() + ")");
                    }
                    if (r.laterValidOffset >= 0) {
                        throw new CorruptStorageException(file.toString(), r.recordsEnd, r.problem
                            + "; a valid record (index " + r.laterValidIndex + ") follows at byte " + r.laterValidOffset
                            + ", so this is not a torn tail");
                    }
                    LOG.warn("{}: dropping the torn tail of {}: bytes [{}, {}) ({} bytes), entries [{}, {}] "
                            + "(never reported durable); cause: {}", name, file, r.recordsEnd, r.dataEnd,
                        r.dataEnd - r.recordsEnd, seg.lastIndex() + 1, r.droppedLastIndex, r.problem);
                    StorageDirectory.writeZeros(channel, r.recordsEnd, r.dataEnd, zeros);
                    channel.force(false);
                }
                if (tail && r.fileSize < config.segmentSizeBytes()) {
                    StorageDirectory.writeZeros(channel, r.fileSize, config.segmentSizeBytes(), zeros);
                    channel.force(true);
                }
                if (!tail) {
                    seg.trim();
                }
                prevTerm = r.lastTerm;
                expectedFirst = seg.lastIndex() + 1;
            }
            // segments holding only purged entries (a purge at or beyond the end that did not finish)
            while (!recovered.isEmpty() && recovered.get(0).lastIndex() <= purged) {
                final Segment seg = recovered.remove(0);
                seg.close();
                Files.delete(seg.path());
            }
            segments = recovered.toArray(new Segment[0]);
            if (recovered.isEmpty()) {
                active = null;
                lastIndex = purged;
                lastTerm = purgedTerm;
            } else {
                active = recovered.get(recovered.size() - 1);
                lastIndex = active.lastIndex();
                lastTerm = lastIndex == purged ? purgedTerm : termRuns.termAt(lastIndex);
            }
            directory.sync();
        } catch (IOException e) {
            throw StorageException.fatal(name + ": recovery failed: " + e, e);
        }
        flushedIndex = lastIndex;
        LOG.info("{}: opened with entries ({}, {}], {} segment(s), vote {}", name, purgedIndex, lastIndex,
            segments.length, vote);
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
                if (active == null || active.end() + recordBytes > segmentSize) {
                    writeOut();
                    roll(index);
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
                active.addRecord(recordBytes);
                termRuns.append(index, term);
            }
            writeOut();
        } catch (IOException e) {
            throw fail(name + ": append of entries [" + first + ", " + entries.lastIndex() + "] to " + active.path()
                + " failed: " + e, e);
        } catch (StorageException e) {
            failure = e;
            throw e;
        }
        lastTerm = entries.lastTerm();
        callbacks.add(first, entries.lastIndex(), callback);
        lastIndex = entries.lastIndex();
        wakeFlusher();
    }

    /**
     * With fsync, wakes the flusher if it sleeps; without, reports the flush at once on this thread (there
     * is nothing to wait for, and no thread hand-off).
     */
    private void wakeFlusher() {
        if (flusher == null) {
            flushOnce();
        } else if (flusherIdle) {
            LockSupport.unpark(flusher);
        }
    }

    private void writeOut() throws IOException {
        final int buffered = writeBuffer.position();
        if (buffered == 0) {
            return;
        }
        writeBuffer.flip();
        StorageDirectory.writeFully(active.channel(), writeBuffer, (long) active.end() - buffered);
        writeBuffer.clear();
    }

    private void roll(long firstIndex) throws IOException {
        if (active != null && config.durabilityMode() == DurabilityMode.FSYNC) {
            // a segment is complete and durable before the next one exists: only the last one can be torn
            active.channel().force(false);
        }
        // size the new segment's index like the previous one (+1/8), or for 64-byte records if none
        final int expected = active == null || active.count() == 0
            ? config.segmentSizeBytes() / 64 : active.count() + active.count() / 8 + 1024;
        final Segment seg = allocator.create(firstIndex, expected);
        final Segment[] current = segments;
        final Segment[] next = Arrays.copyOf(current, current.length + 1);
        next[current.length] = seg;
        segments = next;
        active = seg;
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
        flushLock.lock();
        try {
            final Segment[] segs = segments;
            final int k = find(segs, index);
            boolean deleted = false;
            for (int j = segs.length - 1; j > k; j--) {
                segs[j].close();
                Files.delete(segs[j].path());
                deleted = true;
            }
            if (deleted) {
                directory.sync();
            }
            final Segment seg = segs[k];
            final int cut = seg.start(index);
            final int end = seg.end();
            seg.truncateRecords((int) (index - seg.firstIndex()));
            StorageDirectory.writeZeros(seg.channel(), cut, end, zeros);
            seg.channel().force(false);
            segments = Arrays.copyOf(segs, k + 1);
            active = seg;
            termRuns.truncateFrom(index);
            lastTerm = index - 1 == purgedIndex ? purgedTerm : termRuns.termAt(index - 1);
            lastIndex = index - 1;
            if (flushedIndex >= index) {
                flushedIndex = index - 1;
            }
            callbacks.truncateFrom(index);
        } catch (IOException e) {
            throw fail(name + ": truncateFrom(" + index + ") failed: " + e, e);
        } finally {
            flushLock.unlock();
            readLock.unlockWrite(stamp);
        }
        wakeFlusher();
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
        flushLock.lock();
        try {
            purgedFile.write(upTo.term(), upTo.index());
            purgedIndex = upTo.index();
            purgedTerm = upTo.term();
            final Segment[] segs = segments;
            int remove = 0;
            while (remove < segs.length && (segs[remove].lastIndex() <= upTo.index() || upTo.index() >= lastIndex)) {
                segs[remove].close();
                Files.delete(segs[remove].path());
                remove++;
            }
            if (remove > 0) {
                directory.sync();
            }
            segments = Arrays.copyOfRange(segs, remove, segs.length);
            if (upTo.index() >= lastIndex) {
                active = null;
                termRuns.clear();
                lastTerm = upTo.term();
                lastIndex = upTo.index();
            } else {
                termRuns.purgeTo(upTo.index());
            }
        } catch (IOException e) {
            throw fail(name + ": purgeUpTo(" + upTo + ") failed: " + e, e);
        } finally {
            flushLock.unlock();
            readLock.unlockWrite(stamp);
        }
        wakeFlusher();
    }

    @Override
    public void saveVote(Vote newVote) {
        ensureUsable();
        if (newVote == null) {
            throw new IllegalArgumentException("saveVote: vote is null");
        }
        if (newVote.term() < vote.term()) {
            throw new IllegalArgumentException("saveVote: term " + newVote.term() + " is lower than the saved term " + vote.term());
        }
        if (newVote.term() == vote.term() && vote.hasVoted() && newVote.votedFor() != vote.votedFor()) {
            throw new IllegalArgumentException("saveVote: already voted for " + vote.votedFor() + " in term " + vote.term()
                + ", cannot vote for " + newVote.votedFor());
        }
        if (newVote.equals(vote)) {
            return;
        }
        try {
            voteFile.write(newVote.term(), newVote.votedFor());
        } catch (StorageException e) {
            failure = e;
            throw e;
        }
        vote = newVote;
    }

    @Override
    public Vote readVote() {
        ensureOpen();
        return vote;
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
            final ReadContext ctx = readContexts.get();
            final Segment[] segs = segments;
            int copied = 0;
            long bytes = 0;
            long index = fromIndex;
            while (index < toIndexExclusive && (copied == 0 || bytes < maxBytes)) {
                final Segment seg = segs[find(segs, index)];
                final long runEnd = Math.min(toIndexExclusive - 1, seg.lastIndex());
                final int start = seg.start(index);
                // choose records [index, j] that fit the buffer and the byte budget
                long j = index;
                long budget = bytes + seg.endOf(index) - seg.start(index) - RECORD_HEADER_BYTES;
                ctx.ensureCapacity(seg.endOf(index) - start);
                while (j < runEnd && budget < maxBytes && seg.endOf(j + 1) - start <= ctx.buffer.capacity()) {
                    j++;
                    budget += seg.endOf(j) - seg.start(j) - RECORD_HEADER_BYTES;
                }
                final int end = seg.endOf(j);
                final ByteBuffer buf = ctx.buffer;
                buf.clear().limit(end - start);
                final int n = StorageDirectory.readFully(seg.channel(), buf, start);
                if (n < end - start) {
                    throw new CorruptStorageException(seg.path().toString(), start + n, "file ends before record "
                        + (index + (j - index)) + " does");
                }
                int at = 0;
                for (long i = index; i <= j; i++) {
                    final int length = buf.getInt(at + LENGTH_OFFSET);
                    final int recordBytes = seg.endOf(i) - seg.start(i);
                    if (length != recordBytes - RECORD_HEADER_BYTES
                        || SegmentFormat.recordCrc(buf, at, length, ctx.crc) != buf.getInt(at + CRC_OFFSET)
                        || buf.getLong(at + INDEX_OFFSET) != i) {
                        throw new CorruptStorageException(seg.path().toString(), start + at, "record " + i
                            + " fails its length, CRC or index check on read");
                    }
                    dst.add(buf.getLong(at + TERM_OFFSET), i, EntryType.fromCode(buf.get(at + TYPE_OFFSET)), ctx.view,
                        at + RECORD_HEADER_BYTES, length);
                    at += recordBytes;
                    bytes += length;
                    copied++;
                }
                index = j + 1;
            }
            return copied;
        } catch (IOException e) {
            throw StorageException.fatal(name + ": read [" + fromIndex + ", " + toIndexExclusive + ") failed: " + e, e);
        } finally {
            readLock.unlockRead(stamp);
        }
    }

    private static int find(Segment[] segs, long index) {
        int lo = 0;
        int hi = segs.length - 1;
        while (lo < hi) {
            final int mid = (lo + hi + 1) >>> 1;
            if (segs[mid].firstIndex() <= index) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** A reader thread's buffer, view and checksum. */
    private static final class ReadContext {
        private final CRC32C crc = new CRC32C();
        private final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
        private ByteBuffer buffer;

        ReadContext(int capacity) {
            buffer = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
            view.wrap(buffer);
        }

        void ensureCapacity(int bytes) {
            if (buffer.capacity() < bytes) {
                buffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
                view.wrap(buffer);
            }
        }
    }

    // ------------------------------------------------------------------ flusher

    private void runFlusher() {
        // every change that gives the flusher work unparks it (see wakeFlusher), so a long park costs no
        // latency; it only bounds how often an idle store wakes up
        final BackoffIdleStrategy idle = new BackoffIdleStrategy(10, 10, TimeUnit.MICROSECONDS.toNanos(1),
            TimeUnit.MILLISECONDS.toNanos(10));
        while (running) {
            if (flushOnce()) {
                idle.reset();
                continue;
            }
            flusherIdle = true;
            if (lastIndex == flushedIndexSnapshot() && running) {
                idle.idle();
            }
            flusherIdle = false;
        }
    }

    private long flushedIndexSnapshot() {
        flushLock.lock();
        try {
            return flushedIndex;
        } finally {
            flushLock.unlock();
        }
    }

    /** Forces what was written since the last force and tells the callbacks. Returns whether there was work. */
    private boolean flushOnce() {
        flushLock.lock();
        Path forcing = null;
        try {
            final long target = lastIndex;
            if (target <= flushedIndex || failure != null) {
                return false;
            }
            if (config.durabilityMode() == DurabilityMode.FSYNC) {
                final long start = System.nanoTime();
                final Segment[] segs = segments;
                for (int k = 0; k < segs.length; k++) {
                    final long nextFirst = k + 1 < segs.length ? segs[k + 1].firstIndex() : Long.MAX_VALUE;
                    if (segs[k].firstIndex() <= target && nextFirst - 1 > flushedIndex) {
                        forcing = segs[k].path();
                        segs[k].channel().force(false);
                    }
                }
                forceTimer.accept(System.nanoTime() - start);
            }
            flushedIndex = target;
            callbacks.dispatch(target);
            return true;
        } catch (IOException e) {
            // tell the node now (fail-stop), not only at its next call into the store
            callbacks.fail(fail(name + ": force of " + forcing + " failed, entries after " + flushedIndex
                + " are not durable: " + e, e));
            return false;
        } finally {
            flushLock.unlock();
        }
    }

    // ------------------------------------------------------------------ lifecycle

    private StorageException fail(String message, Throwable cause) {
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

    private void stopFlusher() {
        running = false;
        if (flusher == null) {
            return;
        }
        LockSupport.unpark(flusher);
        boolean interrupted = false;
        while (flusher.isAlive()) {
            try {
                flusher.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        stopFlusher();
        flushOnce();
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
        stopFlusher();
        if (dropUnflushed) {
            flushLock.lock();
            try {
                dropAfter(flushedIndex);
            } catch (IOException e) {
                throw StorageException.fatal(name + ": simulated crash could not drop unflushed entries: " + e, e);
            } finally {
                flushLock.unlock();
            }
        }
        release();
    }

    private void dropAfter(long keep) throws IOException {
        final Segment[] segs = segments;
        for (int k = segs.length - 1; k >= 0; k--) {
            final Segment seg = segs[k];
            if (seg.firstIndex() > keep + 1) {
                seg.close();
                Files.delete(seg.path());
            } else if (seg.lastIndex() > keep) {
                StorageDirectory.writeZeros(seg.channel(), seg.start(keep + 1), seg.end(), zeros);
            }
        }
    }

    private void release() {
        final long stamp = readLock.writeLock();
        try {
            closed = true;
            for (Segment s : segments) {
                s.close();
            }
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

    @Override
    public String toString() {
        return name;
    }
}
