package dev.raft.storage.file.internal.log;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A small real filesystem (tmpfs of a given size) mounted on a test directory, so that tests can fill a
 * disk for real. Needs root (or CAP_SYS_ADMIN); {@link #mountOrSkip} skips the test with the reason when
 * mounting is impossible. {@link #close()} unmounts, also after a failure.
 */
final class TmpfsMount implements AutoCloseable {
    private final Path dir;

    private TmpfsMount(Path dir) {
        this.dir = dir;
    }

    /** Mounts a tmpfs of {@code size} (as mount's size option: "512k", "3m") on {@code dir}, or skips the test. */
    static TmpfsMount mountOrSkip(Path dir, String size) throws IOException {
        final Run r = run(List.of("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0700", "tmpfs", dir.toString()));
        Assumptions.assumeTrue(r.exit == 0, () -> "skipped: cannot mount a " + size + " tmpfs on " + dir
            + " to fill a real disk (needs root or CAP_SYS_ADMIN): " + r.output.strip());
        return new TmpfsMount(dir);
    }

    Path dir() {
        return dir;
    }

    /** Writes zeros to {@code file} until the filesystem is full; returns the bytes written. */
    long fill(Path file) throws IOException {
        final byte[] block = new byte[4096];
        long written = 0;
        try (var out = Files.newOutputStream(file)) {
            while (true) {
                out.write(block);
                out.flush();
                written += block.length;
            }
        } catch (IOException full) {
            if (!full.toString().contains("No space left on device")) {
                throw full;
            }
        }
        return written;
    }

    @Override
    public void close() throws IOException {
        Run r = run(List.of("umount", dir.toString()));
        if (r.exit != 0) {
            r = run(List.of("umount", "-l", dir.toString()));
            if (r.exit != 0) {
                throw new IOException("could not unmount the test tmpfs on " + dir + ": " + r.output.strip());
            }
        }
    }

    private record Run(int exit, String output) {
    }

    private static Run run(List<String> command) throws IOException {
        final Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new Run(-1, command.get(0) + " could not be started: " + e.getMessage());
        }
        boolean exited;
        try {
            exited = p.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exited = false;
        }
        if (!exited) {
            p.destroyForcibly();
            return new Run(-1, String.join(" ", command) + " did not finish within 30 s");
        }
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
