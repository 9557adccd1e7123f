package dev.raft.examples.server;

/**
 * The documented exit codes of {@code raftkv server} (and of the data tools), after the BSD {@code sysexits.h}
 * conventions. A server stopped by SIGINT or SIGTERM exits as the JVM does on that signal: 130 or 143.
 */
public enum ExitCode {
    /** Stopped cleanly. */
    OK(0),
    /** A data tool found a problem (verify: the first bad record; truncate refused without --force). */
    FOUND(1),
    /** Wrong flags or arguments. */
    USAGE(2),
    /** Corrupt data in the log, vote or snapshot files: run {@code raftkv log verify}. */
    CORRUPT_DATA(65),
    /** A port the node must bind is in use, or an address cannot be bound. */
    UNAVAILABLE(69),
    /** The node failed at run time (fail-stop) or an unexpected internal error. */
    SOFTWARE(70),
    /** The data directory is locked by another process or belongs to another node or cluster. */
    CANNOT_CREATE(73),
    /** An I/O error, e.g. no space left on the device. */
    IO_ERROR(74),
    /** Permission denied on a file or directory. */
    NO_PERMISSION(77),
    /** An invalid setting (config file or flag). */
    CONFIG(78);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    /** The process exit code. */
    public int code() {
        return code;
    }
}
