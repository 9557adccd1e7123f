package dev.raft.testkit.linearizability;

import java.util.Objects;

/**
 * A key-value operation: get, put, delete or compare-and-set on a string key.
 *
 * @param kind the operation
 * @param key the key, never {@code null}
 * @param value the value written by put and compare-and-set, {@code null} otherwise
 * @param expected the value compare-and-set expects ({@code null}: expects the key absent)
 */
public record KvInput(Kind kind, String key, String value, String expected) {

    /** The kinds of key-value operations. */
    public enum Kind {
        /** Reads the value of a key; answers the value or absent. */
        GET,
        /** Writes a value; answers ok. */
        PUT,
        /** Removes a key; answers ok. */
        DELETE,
        /** Writes a value if the current one equals the expected one; answers whether it did. */
        CAS
    }

    /**
     * Validates that the fields match the kind.
     *
     * @param kind the operation
     * @param key the key
     * @param value the value written, or null
     * @param expected the value compare-and-set expects, or null
     * @throws IllegalArgumentException if a put or compare-and-set has no value, or a get or
     *     delete has one
     */
    public KvInput {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(key, "key");
        boolean writes = kind == Kind.PUT || kind == Kind.CAS;
        if (writes != (value != null)) {
            throw new IllegalArgumentException("kv input " + kind + " on key '" + key + "': value must be "
                    + (writes ? "non-null" : "null") + " but is " + value);
        }
        if (kind != Kind.CAS && expected != null) {
            throw new IllegalArgumentException("kv input " + kind + " on key '" + key
                    + "': only CAS has an expected value, got " + expected);
        }
    }

    /**
     * Reads a key.
     *
     * @param key the key
     * @return the input
     */
    public static KvInput get(String key) {
        return new KvInput(Kind.GET, key, null, null);
    }

    /**
     * Writes a key.
     *
     * @param key the key
     * @param value the value
     * @return the input
     */
    public static KvInput put(String key, String value) {
        return new KvInput(Kind.PUT, key, value, null);
    }

    /**
     * Removes a key.
     *
     * @param key the key
     * @return the input
     */
    public static KvInput delete(String key) {
        return new KvInput(Kind.DELETE, key, null, null);
    }

    /**
     * Compare-and-set.
     *
     * @param key the key
     * @param expected the value expected, {@code null} for absent
     * @param value the value to write if the current value is the expected one
     * @return the input
     */
    public static KvInput cas(String key, String expected, String value) {
        return new KvInput(Kind.CAS, key, value, expected);
    }
}
