package dev.raft.storage.file.internal.snapshot;

import dev.raft.api.SnapshotMeta;
import dev.raft.api.error.CorruptStorageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Checks the finished snapshot files of a snapshot directory without opening (or locking, or changing) the store:
 * each file's header, the CRC of its header and the CRC of its data, as a reader of it would. For offline tools.
 */
public final class SnapshotVerifier {
    /**
     * One finished snapshot file as checked.
     *
     * @param meta    the snapshot's meta, or null if its header is bad
     * @param current whether it is the newest file: the one the store opens (older ones are deleted on open)
     * @param problem what is wrong, naming the byte offset, or null if the file is sound
     */
    public record Result(Path file, SnapshotMeta meta, long dataLength, boolean current, String problem) {
    }

    private SnapshotVerifier() {
    }

    /**
     * Checks every finished snapshot file in {@code directory}, oldest first; none if the directory does not exist.
     *
     * @throws UncheckedIOException naming the file that cannot be read
     */
    public static List<Result> verify(Path directory) {
        final List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
            for (Path f : stream) {
                if (FileSnapshotStore.sequenceOf(f) >= 0) {
                    files.add(f);
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list snapshot directory " + directory + ": " + e.getMessage(), e);
        }
        files.sort(Comparator.comparingLong(FileSnapshotStore::sequenceOf));
        final List<Result> results = new ArrayList<>(files.size());
        for (int i = 0; i < files.size(); i++) {
            results.add(check(files.get(i), i == files.size() - 1));
        }
        return results;
    }

    private static Result check(Path file, boolean current) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            final SnapshotFile.Header header;
            try {
                header = SnapshotFile.readHeader(file, channel);
            } catch (CorruptStorageException e) {
                return new Result(file, null, -1, current, e.getMessage());
            }
            final int crc = SnapshotFile.dataCrc(channel, header.dataOffset(), header.dataLength());
            final String problem = crc == header.dataCrc() ? null
                : new CorruptStorageException(file.toString(), header.dataOffset(), "snapshot data of " + header.dataLength()
                    + " bytes fails its CRC (header 0x" + Integer.toHexString(header.dataCrc()) + ", data 0x"
                    + Integer.toHexString(crc) + ")").getMessage();
            return new Result(file, header.meta(), header.dataLength(), current, problem);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read snapshot file " + file + ": " + e.getMessage(), e);
        }
    }
}
