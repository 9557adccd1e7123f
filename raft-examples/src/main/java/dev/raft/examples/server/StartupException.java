package dev.raft.examples.server;

/** A startup refusal that already knows its {@link ExitCode} and one-line message. */
public final class StartupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient ExitCode exitCode;

    /** The exit code and one line naming what, where and why. */
    public StartupException(ExitCode exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    /** The exit code. */
    public ExitCode exitCode() {
        return exitCode;
    }
}
