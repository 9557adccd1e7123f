package dev.raft.api.error;

/** A configuration value is out of its allowed range. The message names the field, the value and the range. */
public final class InvalidConfigException extends RaftException {
    private static final long serialVersionUID = 1L;

    private final String field;

    /**
     * @param field   the field, qualified by its config class (e.g. {@code "RaftConfig.heartbeatIntervalMillis"})
     * @param value   the rejected value
     * @param allowed what is allowed (e.g. {@code "1..electionTimeoutMinMillis-1 (= 149)"})
     */
    public InvalidConfigException(String field, Object value, String allowed) {
        super(field + " = " + value + " is invalid; allowed: " + allowed);
        this.field = field;
    }

    /**
     * Returns {@code value} if it lies in {@code [min, max]}.
     *
     * @param field the field, qualified by its config class
     * @throws InvalidConfigException naming the field, the value and the range {@code min..max} otherwise
     */
    public static long requireInRange(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw new InvalidConfigException(field, value, min + ".." + max);
        }
        return value;
    }

    /** The qualified name of the rejected field. */
    public String field() {
        return field;
    }
}
