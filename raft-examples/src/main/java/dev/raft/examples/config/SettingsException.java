package dev.raft.examples.config;

/** A configuration problem, in one line naming the setting, its value and where it came from. */
public final class SettingsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** One line saying what is wrong. */
    public SettingsException(String message) {
        super(message);
    }
}
