package dev.raft.examples.kv;

import java.nio.charset.StandardCharsets;

/**
 * The outcome of one key-value command.
 *
 * @param status what happened
 * @param value  GET: the value; PUT and DELETE: the previous value; CAS_FAILED and NOT_A_COUNTER: the current
 *               value; INCR: the new value (decimal text); empty
 *               when there is none
 */
public record KvResult(Status status, byte[] value) {
    /** What a command did. */
    public enum Status {
        /** Done (GET found the key; CAS matched; PUT stored; DELETE removed). */
        OK,
        /** The key does not exist (GET, DELETE). */
        NOT_FOUND,
        /** CAS: the key did not hold the expected value; {@link #value()} is the current one. */
        CAS_FAILED,
        /** The command could not be decoded; the state did not change. */
        MALFORMED,
        /** INCR: the key holds no decimal 64-bit integer, or the sum would overflow; {@link #value()} is the current one. */
        NOT_A_COUNTER
    }

    /** The value as UTF-8 text. */
    public String valueText() {
        return new String(value, StandardCharsets.UTF_8);
    }
}
