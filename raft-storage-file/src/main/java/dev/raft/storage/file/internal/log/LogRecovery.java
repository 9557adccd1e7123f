package dev.raft.storage.file.internal.log;

import dev.raft.api.error.CorruptStorageException;
import dev.raft.api.error.StorageException;
import dev.raft.storage.file.internal.StorageDirectory;
import dev.raft.storage.file.internal.segment.Segment;
import dev.raft.storage.file.internal.segment.SegmentFormat;
import dev.raft.storage.file.internal.segment.SegmentScanner;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opening a log directory: deletes temporary files, then finishes an interrupted purge, scans every segment (filling
 * the {@link TermRuns}), drops a torn tail of the last segment and refuses corruption anywhere before it. What is
 * left is the {@link Recovered} log the {@link FileLogStore} continues.
 */
final class LogRecovery {
    /** The store's logger: what recovery reports belongs to the store, as operators configure its logging. */
    private static final Logger LOG = LoggerFactory.getLogger(FileLogStore.class);

    /** The recovered log: its open segments (the last one active), last entry and purge point. */
    record Recovered(Segment[] segments, long lastIndex, long lastTerm, long purgedIndex, long purgedTerm) {
    }

    private LogRecovery() {
    }

    /**
     * Recovers the log in {@code directory} past the purge point {@code purgedFile} holds (term, index), appending
     * the terms of the entries it keeps to {@code termRuns}. On failure, the segments it opened are closed.
     *
     * @throws CorruptStorageException naming the file and byte offset if the log is corrupt before its tail
     * @throws StorageException        on IO errors
     */
    static Recovered recover(StorageDirectory directory, String name, int segmentSizeBytes, long purgedTerm,
                             long purgedIndex, TermRuns termRuns, ByteBuffer zeros) {
        final List<Segment> recovered = new ArrayList<>();
        boolean ok = false;
        try {
            final Recovered result = scan(directory, name, segmentSizeBytes, purgedTerm, purgedIndex, termRuns, zeros,
                recovered);
            ok = true;
            return result;
        } finally {
            if (!ok) {
                for (Segment s : recovered) {
                    s.close();
                }
            }
        }
    }

    /** Deletes the temporary files an interrupted write left: first, before anything in the directory is opened. */
    static void deleteTemporaryFiles(StorageDirectory directory, String name) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory.path(), "*.tmp")) {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw StorageException.fatal(name + ": cannot delete temporary files: " + e, e);
        }
    }

    private static List<Path> segmentFiles(StorageDirectory directory, String name) {
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
        return files;
    }

    /** Scans the segments into {@code recovered} (every segment it opens is in it until it is closed). */
    private static Recovered scan(StorageDirectory directory, String name, int segmentSizeBytes, long purgedTerm,
                                  long purged, TermRuns termRuns, ByteBuffer zeros, List<Segment> recovered) {
        final List<Path> files = segmentFiles(directory, name);
        try {
            // complete an interrupted purge: segments whose successor starts at or below purged + 1
            int from = 0;
            while (from + 1 < files.size() && SegmentFormat.parseFirstIndex(files.get(from + 1)) <= purged + 1) {
                Files.delete(files.get(from));
                from++;
            }
            long prevTerm = purgedTerm;
            long expectedFirst = purged + 1;
            final CRC32C crc = new CRC32C();
            for (int k = from; k < files.size(); k++) {
                final Path file = files.get(k);
                final long first = SegmentFormat.parseFirstIndex(file);
                final FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                final Segment seg = new Segment(file, channel, first, 0);
                recovered.add(seg);
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
                if (tail && r.fileSize < segmentSizeBytes) {
                    StorageDirectory.writeZeros(channel, r.fileSize, segmentSizeBytes, zeros);
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
            final Recovered result;
            if (recovered.isEmpty()) {
                result = new Recovered(new Segment[0], purged, purgedTerm, purged, purgedTerm);
            } else {
                final long lastIndex = recovered.get(recovered.size() - 1).lastIndex();
                result = new Recovered(recovered.toArray(new Segment[0]), lastIndex,
                    lastIndex == purged ? purgedTerm : termRuns.termAt(lastIndex), purged, purgedTerm);
            }
            directory.sync();
            return result;
        } catch (IOException e) {
            throw StorageException.fatal(name + ": recovery failed: " + e, e);
        }
    }
}
