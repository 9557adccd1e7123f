package dev.raft.examples.config;

/**
 * A configuration problem, in one line naming the setting, its value and where it came from. A problem with a value
 * given as a flag (or a missing required setting) is a usage error; one from the config file is a configuration error.
 */
public final class SettingsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean usage;

    /** A problem with the config file itself. */
    public SettingsException(String message) {
        this(message, false);
    }

    /** A problem; {@code usage} when the value came from a flag or a required setting is missing. */
    public SettingsException(String message, boolean usage) {
        super(message);
        this.usage = usage;
    }

    /** A problem with a value from {@code source} ("default", "flag --x" or "config file F"). */
    public static SettingsException from(String source, String message) {
        return new SettingsException(message, source == null || !source.startsWith("config file"));
    }

    /** Whether this is a usage error (exit 2) rather than a configuration error (exit 78). */
    public boolean usage() {
        return usage;
    }
}
