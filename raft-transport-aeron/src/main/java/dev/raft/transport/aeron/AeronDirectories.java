package dev.raft.transport.aeron;

import io.aeron.CommonContext;
import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.agrona.IoUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Embedded media driver directories: {@code raft-aeron-c<cluster>-n<node>-<pid>} (about 47 MiB each in
 * {@code /dev/shm}). A process killed with {@code kill -9} cannot delete its own; {@link #removeStale} removes
 * those whose process is gone. The transport calls it before it starts an embedded driver and when it closes.
 */
public final class AeronDirectories {
    /** Names of embedded driver directories; group 1 is the owning process id. */
    public static final Pattern NAME = Pattern.compile("raft-aeron-c\\d+-n\\d+-(\\d+)");
    /**
     * A driver whose heartbeat in its CnC file is older than this is not running (a live driver beats about
     * every millisecond). Checked besides the process id, so a directory of a process in another pid
     * namespace that shares {@code /dev/shm} is never removed while its driver runs.
     */
    public static final long DEAD_DRIVER_MILLIS = 1000;

    /** Created on first use: a short-lived client that only looks for a running driver starts no logging. */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(AeronDirectories.class);
    }

    private AeronDirectories() {
    }

    /** Where embedded driver directories go by default: {@code /dev/shm} if it exists, else {@code java.io.tmpdir}. */
    public static Path defaultParent() {
        final File shm = new File("/dev/shm");
        return (shm.isDirectory() ? shm : new File(System.getProperty("java.io.tmpdir"))).toPath();
    }

    /** The default directory of node {@code nodeId} of cluster {@code clusterId} in this process. */
    public static Path defaultDirectory(int clusterId, int nodeId) {
        return defaultParent().resolve("raft-aeron-c" + clusterId + "-n" + nodeId + "-" + ProcessHandle.current().pid());
    }

    /**
     * Removes the embedded driver directories in {@code parent} whose process is no longer alive and whose
     * driver stopped beating. Never throws: a directory that cannot be removed is logged and skipped.
     *
     * @return the directories removed
     */
    public static List<Path> removeStale(Path parent) {
        final List<Path> removed = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent, "raft-aeron-c*")) {
            for (Path dir : entries) {
                final Matcher m = NAME.matcher(dir.getFileName().toString());
                if (!m.matches() || !Files.isDirectory(dir) || isAlive(m.group(1)) || driverBeats(dir)) {
                    continue;
                }
                try {
                    IoUtil.delete(dir.toFile(), false);
                    removed.add(dir);
                    Log.LOG.info("removed the driver directory {} of dead process {}", dir, m.group(1));
                } catch (RuntimeException e) {
                    Log.LOG.warn("cannot remove the driver directory {} of dead process {}: {}", dir, m.group(1), e.toString());
                }
            }
        } catch (IOException | RuntimeException e) {
            Log.LOG.warn("cannot list {} for stale driver directories: {}", parent, e.toString());
        }
        return removed;
    }

    /**
     * An embedded driver directory in {@code parent} whose driver another process on this machine may share: its
     * owning process is alive, its driver beat within {@link #DEAD_DRIVER_MILLIS}, and this process may write its
     * command-and-control file. A short-lived client (one CLI call) connects to it instead of starting a driver of
     * its own, as Aeron intends (one driver per machine, shared by its clients).
     *
     * @return such a directory, or empty if there is none (never throws)
     */
    public static Optional<Path> findRunning(Path parent) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent, "raft-aeron-c*")) {
            for (Path dir : entries) {
                final Matcher m = NAME.matcher(dir.getFileName().toString());
                if (m.matches() && isAlive(m.group(1)) && Files.isWritable(dir.resolve(io.aeron.CncFileDescriptor.CNC_FILE))
                    && driverBeats(dir)) {
                    return Optional.of(dir);
                }
            }
        } catch (IOException | RuntimeException e) {
            // nothing to share: the caller starts a driver of its own
        }
        return Optional.empty();
    }

    private static boolean isAlive(String pid) {
        try {
            return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return true; // not a pid we understand: leave it alone
        }
    }

    private static boolean driverBeats(Path dir) {
        try {
            return CommonContext.isDriverActive(dir.toFile(), DEAD_DRIVER_MILLIS, message -> { });
        } catch (RuntimeException e) {
            return false; // no readable CnC file: no driver can be using it
        }
    }
}
