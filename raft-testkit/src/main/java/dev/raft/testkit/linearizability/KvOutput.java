package dev.raft.testkit.linearizability;

/**
 * The answer to a {@link KvInput}.
 *
 * @param value the value a get read ({@code null}: the key was absent); {@code null} for others
 * @param swapped whether a compare-and-set wrote; {@code true} for put and delete
 */
public record KvOutput(String value, boolean swapped) {

    /** The answer to put and delete. */
    public static final KvOutput OK = new KvOutput(null, true);

    /**
     * The answer to a get.
     *
     * @param value the value read, {@code null} if the key was absent
     * @return the output
     */
    public static KvOutput read(String value) {
        return new KvOutput(value, false);
    }

    /**
     * The answer to a compare-and-set.
     *
     * @param swapped whether it wrote
     * @return the output
     */
    public static KvOutput cas(boolean swapped) {
        return new KvOutput(null, swapped);
    }
}
