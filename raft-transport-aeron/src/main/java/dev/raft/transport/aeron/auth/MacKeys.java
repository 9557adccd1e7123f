package dev.raft.transport.aeron.auth;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The keys of frame authentication: the <em>current</em> key, which signs every frame sent, and an optional
 * <em>second</em> key, which is also accepted when verifying (the next key during a rotation, or the previous
 * one just after it). Each key is exactly {@link #KEY_LENGTH} bytes. Immutable; the byte arrays are copied in
 * and out.
 */
public final class MacKeys {
    /** The length of every key: 32 bytes, the output length of SHA-256 (RFC 2104 discourages shorter HMAC keys). */
    public static final int KEY_LENGTH = 32;

    private final byte[] current;
    private final byte[] second;

    private MacKeys(byte[] current, byte[] second) {
        this.current = check(current, "current").clone();
        this.second = second == null ? null : check(second, "second").clone();
    }

    /** Only {@code current}: it signs, and only it verifies. */
    public static MacKeys of(byte[] current) {
        return new MacKeys(current, null);
    }

    /** {@code current} signs; {@code current} and {@code second} both verify (null: only {@code current}). */
    public static MacKeys of(byte[] current, byte[] second) {
        return new MacKeys(current, second);
    }

    /** Keys from hexadecimal strings of 64 digits each ({@code second} may be null). */
    public static MacKeys ofHex(String current, String second) {
        return new MacKeys(HexFormat.of().parseHex(current), second == null ? null : HexFormat.of().parseHex(second));
    }

    /** A copy of the signing key. */
    public byte[] current() {
        return current.clone();
    }

    /** A copy of the second accepted key, or null if there is none. */
    public byte[] second() {
        return second == null ? null : second.clone();
    }

    /** Whether a second key is accepted. */
    public boolean hasSecond() {
        return second != null;
    }

    private static byte[] check(byte[] key, String which) {
        if (key == null || key.length != KEY_LENGTH) {
            throw new IllegalArgumentException("MacKeys: the " + which + " key must be " + KEY_LENGTH + " bytes, not "
                + (key == null ? "null" : key.length));
        }
        return key;
    }

    /** Equal keys in the same roles (compared in constant time). */
    @Override
    public boolean equals(Object o) {
        return o instanceof MacKeys k && MessageDigest.isEqual(current, k.current)
            && (second == null ? k.second == null : k.second != null && MessageDigest.isEqual(second, k.second));
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(current) * 31 + Arrays.hashCode(second);
    }

    /** Never prints key material: only whether a second key is present. */
    @Override
    public String toString() {
        return "MacKeys{current=<hidden>" + (second != null ? ", second=<hidden>" : "") + "}";
    }
}
