package dev.raft.examples.soak;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted on a directory, whose free space can be used up and given back: the "disk fills and is
 * freed" fault. Mounting needs root (CAP_SYS_ADMIN); {@link #tryMount} says why it could not instead of failing.
 * "Fill" shrinks the filesystem to what it holds and writes a filler file into the rest, so it costs little memory.
 */
final class TmpfsMount implements AutoCloseable {
    private static final String FILLER = "soak-filler.bin";
    private final Path dir;
    private final long sizeBytes;
    private boolean mounted = true;

    private TmpfsMount(Path dir, long sizeBytes) {
        this.dir = dir;
        this.sizeBytes = sizeBytes;
    }

    /** Mounts a tmpfs of {@code sizeBytes} on {@code dir} (created, must be empty); throws a one-line reason if it cannot. */
    static TmpfsMount tryMount(Path dir, long sizeBytes) throws CannotMountException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new CannotMountException("cannot create mount point " + dir + ": " + e.getMessage());
        }
        final String result = run("mount", "-t", "tmpfs", "-o", "size=" + sizeBytes, "tmpfs", dir.toString());
        if (result != null) {
            throw new CannotMountException("cannot mount a tmpfs on " + dir + " (needs root): " + result);
        }
        return new TmpfsMount(dir, sizeBytes);
    }

    /** Why a tmpfs could not be mounted: the disk-full fault is skipped with this reason. */
    static final class CannotMountException extends Exception {
        private static final long serialVersionUID = 1L;

        CannotMountException(String reason) {
            super(reason);
        }
    }

    Path dir() {
        return dir;
    }

    /** Leaves no free space: shrinks the filesystem to its use plus a little, then fills that little. */
    void fill() throws IOException {
        // the node keeps writing (and may preallocate a whole segment) between the measure and the remount, and a
        // tmpfs cannot shrink below what it holds ("bad option"): measure again and retry, a few times
        for (int attempt = 1; ; attempt++) {
            final long used = Files.getFileStore(dir).getTotalSpace() - Files.getFileStore(dir).getUsableSpace();
            try {
                remount(used + 1024 * 1024);
                break;
            } catch (IOException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
        final byte[] chunk = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(dir.resolve(FILLER))) {
            while (true) {
                out.write(chunk);
            }
        } catch (IOException expected) {
            // no space left: what we wanted
        }
    }

    /** Gives the space back. */
    void free() throws IOException {
        Files.deleteIfExists(dir.resolve(FILLER));
        remount(sizeBytes);
    }

    long usableBytes() throws IOException {
        return Files.getFileStore(dir).getUsableSpace();
    }

    private void remount(long bytes) throws IOException {
        final String result = run("mount", "-o", "remount,size=" + bytes, dir.toString());
        if (result != null) {
            throw new IOException("cannot resize the tmpfs on " + dir + " to " + bytes + " bytes: " + result);
        }
    }

    /** Unmounts (lazily, so a process still holding a file does not keep it). Idempotent. */
    @Override
    public synchronized void close() {
        if (mounted) {
            mounted = false;
            final String result = run("umount", "-l", dir.toString());
            if (result != null) {
                System.err.println("soak: could not unmount " + dir + ": " + result);
            }
        }
    }

    /** Runs a command; null on success, else a one-line reason. */
    private static String run(String... command) {
        try {
            final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            final List<String> output = new ArrayList<>();
            try (var lines = p.inputReader().lines()) {
                lines.forEach(output::add);
            }
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return String.join(" ", command) + " did not finish within 30 s";
            }
            return p.exitValue() == 0 ? null : String.join(" ", command) + " exited " + p.exitValue() + ": "
                + String.join(" ", output);
        } catch (IOException e) {
            return String.join(" ", command) + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return String.join(" ", command) + ": interrupted";
        }
    }
}
