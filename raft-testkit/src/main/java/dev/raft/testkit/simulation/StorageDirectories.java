package dev.raft.testkit.simulation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The temporary directory a simulation over a third party's stores keeps its nodes' files in. */
final class StorageDirectories {
    private StorageDirectories() {
    }

    /** A new directory on {@code /dev/shm} if it is a writable directory (forces are cheap there), else in the temp dir. */
    static Path create(String prefix) {
        try {
            final Path shm = Path.of("/dev/shm");
            return Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, prefix)
                : Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for the simulated nodes' stores", e);
        }
    }

    /** Deletes {@code root} and everything under it. */
    static void delete(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the simulated nodes' stores under " + root, e);
        }
    }
}
