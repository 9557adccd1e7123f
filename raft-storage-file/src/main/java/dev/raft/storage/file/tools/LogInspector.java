package dev.raft.storage.file.tools;

import dev.raft.storage.file.FileStores;
import dev.raft.storage.file.internal.StorageDirectory;
import dev.raft.storage.file.internal.segment.Segment;
import dev.raft.storage.file.internal.segment.SegmentFormat;
import dev.raft.storage.file.internal.segment.SegmentScanner;
import dev.raft.storage.file.internal.snapshot.SnapshotVerifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Reads the log of a file store's data directory (the directory given to {@code FileStorageModule}, holding
 * {@code log/}) without opening the store: {@link #verify()} judges every segment as recovery would, {@link #dump}
 * lists entries, {@link #planTruncate} and {@link #truncate} cut the log's suffix; {@link #verifySnapshots()} checks the
 * snapshot files and {@link #continuityProblem} that the log continues the current one.
 */
public final class LogInspector {
    /**
     * One segment as scanned.
     *
     * @param lastIndex      the last index of the valid records before the first problem
     * @param namedLastIndex the last index the record headers name, bad region included (at least {@code lastIndex})
     */
    public record SegmentReport(Path file, long firstIndex, long lastIndex, long namedLastIndex, int recordsEnd, String problem,
                                int laterValidOffset, boolean tail) {
        /** Whether recovery would refuse this segment (a bad record not at the torn tail of the last segment). */
        public boolean corrupt() {
            return problem != null && (!tail || laterValidOffset >= 0);
        }
    }

    /** The whole log as scanned: its segments in order and the first problem, if any. */
    public record Report(Path logDirectory, List<SegmentReport> segments, SegmentReport firstCorrupt,
                         SegmentReport tornTail, String gap) {
        /** The first index held, or 0 if the log is empty. */
        public long firstIndex() {
            return segments.isEmpty() ? 0 : segments.get(0).firstIndex();
        }

        /** The last valid index, or 0 if the log is empty. */
        public long lastIndex() {
            return segments.isEmpty() ? 0 : segments.get(segments.size() - 1).lastIndex();
        }

        /** Whether a node would refuse to open this log. */
        public boolean corrupt() {
            return firstCorrupt != null || gap != null;
        }
    }

    /**
     * One finished snapshot file as checked by {@link #verifySnapshots()}.
     *
     * @param snapshotId the snapshot's id, or null if its header is bad (as are the ids and length then: -1)
     * @param current    whether it is the newest file, the one a starting node uses (it deletes the older ones)
     * @param problem    what is wrong, naming the file and byte offset, or null if the file is sound
     */
    public record SnapshotReport(Path file, String snapshotId, long lastIndex, long lastTerm, long dataLength, boolean current,
                                 String problem) {
        /** Whether a starting node would refuse it (a bad current snapshot; a bad older one is only deleted). */
        public boolean corrupt() {
            return problem != null && current;
        }
    }

    /** One entry read by {@link #dump}. */
    public record EntryRecord(long index, long term, int type, byte[] payload, Path file, int offset) {
    }

    /** What {@link #truncate} will do. */
    public record TruncatePlan(long fromIndex, long lastIndex, Path cutFile, int cutOffset, int cutEnd, List<Path> deleted) {
        /** The entries dropped (0 if none). */
        public long droppedEntries() {
            return Math.max(0, lastIndex - fromIndex + 1);
        }
    }

    private final Path dataDirectory;
    private final Path logDirectory;
    private final Path snapshotDirectory;

    private LogInspector(Path dataDirectory) {
        this.dataDirectory = dataDirectory;
        this.logDirectory = dataDirectory.resolve(FileStores.LOG_DIR);
        this.snapshotDirectory = dataDirectory.resolve(FileStores.SNAPSHOT_DIR);
    }

    /** An inspector of the store in {@code dataDirectory} (the directory holding {@code log/}). */
    public static LogInspector of(Path dataDirectory) {
        return new LogInspector(dataDirectory);
    }

    /** The log directory. */
    public Path logDirectory() {
        return logDirectory;
    }

    /** The snapshot directory. */
    public Path snapshotDirectory() {
        return snapshotDirectory;
    }

    /**
     * Checks every finished snapshot file (header, header CRC, data CRC), oldest first, without changing anything;
     * none if there is no snapshot directory.
     *
     * @throws UncheckedIOException naming the file that cannot be read
     */
    public List<SnapshotReport> verifySnapshots() {
        final List<SnapshotReport> out = new ArrayList<>();
        for (SnapshotVerifier.Result r : SnapshotVerifier.verify(snapshotDirectory)) {
            out.add(r.meta() == null
                ? new SnapshotReport(r.file(), null, -1, -1, -1, r.current(), r.problem())
                : new SnapshotReport(r.file(), r.meta().snapshotId(), r.meta().lastLogId().index(), r.meta().lastLogId().term(),
                    r.dataLength(), r.current(), r.problem()));
        }
        return List.copyOf(out);
    }

    /**
     * Whether the log continues the current snapshot: a log that starts after index 1 needs a sound current snapshot
     * that covers every index before its first.
     *
     * @return what is missing, or null if nothing is
     */
    public static String continuityProblem(Report log, List<SnapshotReport> snapshots) {
        if (log.segments().isEmpty() || log.firstIndex() <= 1) {
            return null;
        }
        final SnapshotReport current = snapshots.isEmpty() ? null : snapshots.get(snapshots.size() - 1);
        if (current == null || current.problem() != null) {
            return "the log starts at index " + log.firstIndex() + " but no sound snapshot covers indexes [1, "
                + (log.firstIndex() - 1) + "]";
        }
        if (log.firstIndex() > current.lastIndex() + 1) {
            return "the log starts at index " + log.firstIndex() + " but the current snapshot " + current.file().getFileName()
                + " ends at index " + current.lastIndex() + ": indexes [" + (current.lastIndex() + 1) + ", "
                + (log.firstIndex() - 1) + "] are missing";
        }
        return null;
    }

    /**
     * Scans every segment, without changing anything.
     *
     * @throws UncheckedIOException naming the file that cannot be read (or the missing log directory)
     */
    public Report verify() {
        final List<Path> files = segmentFiles();
        final List<SegmentReport> reports = new ArrayList<>();
        final CRC32C crc = new CRC32C();
        SegmentReport firstCorrupt = null;
        SegmentReport tornTail = null;
        String gap = null;
        long prevTerm = 0;
        long expected = -1;
        for (int k = 0; k < files.size(); k++) {
            final Path file = files.get(k);
            final long first = SegmentFormat.parseFirstIndex(file);
            if (expected >= 0 && first != expected && gap == null) {
                gap = file + " starts at index " + first + " but the previous segment ends at index " + (expected - 1);
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                final Segment segment = new Segment(file, channel, first, 0);
                final SegmentScanner.Result r = SegmentScanner.scan(segment, prevTerm, (i, t) -> { }, crc);
                final boolean tail = k == files.size() - 1;
                final String problem = r.headerProblem != null ? "bad segment header: " + r.headerProblem : r.problem;
                final long last = first + segment.count() - 1;
                final SegmentReport report = new SegmentReport(file, first, last,
                    r.problem != null ? Math.max(last, Math.max(r.droppedLastIndex, r.laterValidOffset >= 0 ? r.laterValidIndex : 0)) : last,
                    r.headerProblem != null ? 0 : r.recordsEnd, problem, r.headerProblem != null ? 0 : r.laterValidOffset, tail);
                reports.add(report);
                if (report.corrupt() && firstCorrupt == null) {
                    firstCorrupt = report;
                } else if (problem != null && tornTail == null) {
                    tornTail = report;
                }
                prevTerm = r.lastTerm;
                expected = first + segment.count();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        return new Report(logDirectory, List.copyOf(reports), firstCorrupt, tornTail, gap);
    }

    /** Calls {@code visitor} for the valid entries from {@code from}, at most {@code count}, stopping at the first bad record. */
    public void dump(long from, long count, java.util.function.Consumer<EntryRecord> visitor) {
        final CRC32C crc = new CRC32C();
        long prevTerm = 0;
        long left = count;
        for (Path file : segmentFiles()) {
            if (left <= 0) {
                return;
            }
            final long first = SegmentFormat.parseFirstIndex(file);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                final Segment segment = new Segment(file, channel, first, 0);
                final SegmentScanner.Result r = SegmentScanner.scan(segment, prevTerm, (i, t) -> { }, crc);
                prevTerm = r.lastTerm;
                for (long index = Math.max(from, first); index <= segment.lastIndex() && left > 0; index++, left--) {
                    final int start = segment.start(index);
                    final int end = segment.endOf(index);
                    final ByteBuffer buf = ByteBuffer.allocate(end - start).order(ByteOrder.LITTLE_ENDIAN);
                    StorageDirectory.readFully(channel, buf, start);
                    final byte[] payload = new byte[end - start - SegmentFormat.RECORD_HEADER_BYTES];
                    buf.get(SegmentFormat.RECORD_HEADER_BYTES, payload);
                    visitor.accept(new EntryRecord(index, buf.getLong(SegmentFormat.TERM_OFFSET),
                        buf.get(SegmentFormat.TYPE_OFFSET), payload, file, start));
                }
                if (r.problem != null || r.headerProblem != null) {
                    return;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * What truncating the log from {@code fromIndex} (that entry and all after it) drops.
     *
     * @throws IllegalArgumentException naming the valid range if {@code fromIndex} is outside the log, or after the
     *                                  first corrupt record (the corrupt one must go too)
     */
    public TruncatePlan planTruncate(long fromIndex) {
        final Report report = verify();
        if (report.segments().isEmpty()) {
            throw new IllegalArgumentException("the log in " + logDirectory + " has no segments: nothing to truncate");
        }
        final long firstHeld = report.firstIndex();
        if (fromIndex < Math.max(1, firstHeld)) {
            throw new IllegalArgumentException("--from-index " + fromIndex + " is below the first index held (" + firstHeld
                + "): the log before it was purged into a snapshot");
        }
        long last = report.lastIndex();
        if (report.firstCorrupt() != null) {
            final long bad = report.firstCorrupt().lastIndex() + 1;
            if (fromIndex > bad) {
                throw new IllegalArgumentException("the first corrupt record is index " + bad + " (" + report.firstCorrupt().file()
                    + " at byte " + report.firstCorrupt().recordsEnd() + "): truncate from index " + bad + " or lower");
            }
        }
        Path cutFile = null;
        int cutOffset = 0;
        int cutEnd = 0;
        final List<Path> deleted = new ArrayList<>();
        for (SegmentReport s : report.segments()) {
            if (s.firstIndex() >= fromIndex && !(cutFile == null && s.firstIndex() == fromIndex && s == report.segments().get(0))) {
                deleted.add(s.file());
            } else if (fromIndex <= s.lastIndex() + 1) {
                cutFile = s.file();
                cutOffset = offsetOf(s, fromIndex);
                cutEnd = (int) Math.min(Integer.MAX_VALUE, fileSize(s.file()));
            }
            last = Math.max(last, s.namedLastIndex());
        }
        return new TruncatePlan(fromIndex, last, cutFile, cutOffset, cutEnd, List.copyOf(deleted));
    }

    /**
     * Truncates as {@code plan} says: zeroes the cut segment from the cut, deletes the later segments and forces both;
     * holds the store's directory lock meanwhile.
     *
     * @throws dev.raft.api.error.StorageException if a node has the directory open
     */
    public void truncate(TruncatePlan plan) {
        try (StorageDirectory dir = StorageDirectory.lock(logDirectory, "raftkv log truncate")) {
            if (plan.cutFile() != null) {
                try (FileChannel channel = FileChannel.open(plan.cutFile(), StandardOpenOption.WRITE)) {
                    StorageDirectory.writeZeros(channel, plan.cutOffset(), plan.cutEnd(), StorageDirectory.zeroBuffer());
                    channel.force(true);
                }
            }
            for (Path p : plan.deleted()) {
                Files.deleteIfExists(p);
            }
            dir.sync();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot truncate the log in " + logDirectory + ": " + e.getMessage(), e);
        }
    }

    private int offsetOf(SegmentReport s, long index) {
        try (FileChannel channel = FileChannel.open(s.file(), StandardOpenOption.READ)) {
            final Segment segment = new Segment(s.file(), channel, s.firstIndex(), 0);
            SegmentScanner.scan(segment, 0, (i, t) -> { }, new CRC32C());
            return index > segment.lastIndex() ? segment.end() : segment.start(index);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + s.file() + ": " + e.getMessage(), e);
        }
    }

    private static long fileSize(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the size of " + file + ": " + e.getMessage(), e);
        }
    }

    private List<Path> segmentFiles() {
        final List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(logDirectory, "*" + SegmentFormat.SUFFIX)) {
            for (Path f : dir) {
                if (SegmentFormat.parseFirstIndex(f) >= 0) {
                    files.add(f);
                }
            }
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("no log in " + dataDirectory + ": " + logDirectory + " does not exist", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + logDirectory + ": " + e.getMessage(), e);
        }
        files.sort(Comparator.comparingLong(SegmentFormat::parseFirstIndex));
        return files;
    }
}
