package dev.raft.transport.aeron.auth;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Signs and verifies frames with HMAC-SHA256 (RFC 2104), truncated to a {@value #TAG_LENGTH}-byte tag appended
 * to the frame: {@code frame = bytes[0, n) ++ tag}, {@code tag = HMAC-SHA256(key, bytes[0, n))[0, 16)}. The tag
 * covers every byte before it, headers included.
 *
 * <p>Signing uses the current key of {@link MacKeys}; verifying accepts a tag made with the current key or
 * with the second key, if any (rotation). The comparison runs in constant time (every tag byte is compared
 * whatever the first difference), so timing does not reveal how much of a forged tag is right. A 128-bit tag
 * leaves a forger a 2^-128 chance per attempt (NIST SP 800-107 allows truncating HMAC tags to 128 bits).
 *
 * <p>Allocation-free per frame. {@code javax.crypto.Mac#doFinal} allocates its result on every call, so the
 * HMAC construction is applied here over the JDK's own SHA-256 {@link MessageDigest} (one reused instance,
 * digests written into a reused array): {@code H((K ^ opad) || H((K ^ ipad) || m))} with the pads of each key
 * computed once. Tests check every tag against {@code javax.crypto.Mac("HmacSHA256")} and the RFC 4231
 * vectors. Bytes of off-heap buffers pass through a fixed scratch array. Not thread-safe: one instance per
 * thread (each sending or receiving thread keeps its own). {@link #keys(MacKeys)} swaps the keys between
 * two frames.
 */
public final class FrameAuthenticator {
    /** The length of the tag appended to each frame, in bytes. */
    public static final int TAG_LENGTH = 16;
    /** The JCA name of the MAC computed (as {@code javax.crypto.Mac} would). */
    public static final String ALGORITHM = "HmacSHA256";

    private static final int BLOCK = 64;
    private static final int HASH = 32;
    private static final int SCRATCH = 4096;

    private final MessageDigest sha256 = sha256();
    private final byte[] inner = new byte[HASH];
    private final byte[] digest = new byte[HASH];
    private final byte[] scratch = new byte[SCRATCH];
    private byte[][] currentPads;
    private byte[][] secondPads;
    private MacKeys keys;

    /** An authenticator with {@code keys}. */
    public FrameAuthenticator(MacKeys keys) {
        keys(keys);
    }

    /** Replaces the keys; the next frame is signed and verified with the new ones. */
    public void keys(MacKeys newKeys) {
        final byte[][] signing = pads(newKeys.current());
        final byte[][] accepted = newKeys.hasSecond() ? pads(newKeys.second()) : null;
        this.currentPads = signing;
        this.secondPads = accepted;
        this.keys = newKeys;
    }

    /** The keys in use. */
    public MacKeys keys() {
        return keys;
    }

    /**
     * Appends the tag of {@code buffer[offset, offset + length)} at {@code offset + length} with the current
     * key; the buffer must have {@link #TAG_LENGTH} bytes of room there.
     *
     * @return the length of the signed frame: {@code length + TAG_LENGTH}
     */
    public int sign(MutableDirectBuffer buffer, int offset, int length) {
        compute(currentPads, buffer, offset, length);
        buffer.putBytes(offset + length, digest, 0, TAG_LENGTH);
        return length + TAG_LENGTH;
    }

    /**
     * Whether the frame {@code buffer[offset, offset + length)} ends in a valid tag over the bytes before it,
     * made with the current or the second key. A frame shorter than a tag is not valid. Reads nothing else
     * of the frame.
     */
    public boolean verify(DirectBuffer buffer, int offset, int length) {
        if (length < TAG_LENGTH) {
            return false;
        }
        final int signed = length - TAG_LENGTH;
        compute(currentPads, buffer, offset, signed);
        if (sameTag(buffer, offset + signed)) {
            return true;
        }
        if (secondPads == null) {
            return false;
        }
        compute(secondPads, buffer, offset, signed);
        return sameTag(buffer, offset + signed);
    }

    /** HMAC-SHA256 of {@code buffer[offset, offset + length)} with the key of {@code pads} into {@link #digest}. */
    private void compute(byte[][] pads, DirectBuffer buffer, int offset, int length) {
        sha256.update(pads[0], 0, BLOCK);
        final byte[] array = buffer.byteArray();
        if (array != null) {
            sha256.update(array, buffer.wrapAdjustment() + offset, length);
        } else {
            for (int done = 0; done < length; done += SCRATCH) {
                final int n = Math.min(SCRATCH, length - done);
                buffer.getBytes(offset + done, scratch, 0, n);
                sha256.update(scratch, 0, n);
            }
        }
        finish(inner);
        sha256.update(pads[1], 0, BLOCK);
        sha256.update(inner, 0, HASH);
        finish(digest);
    }

    private void finish(byte[] into) {
        try {
            sha256.digest(into, 0, HASH);
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-256 digests are " + HASH + " bytes", e);
        }
    }

    /** Constant time: every byte is compared whatever the first difference. */
    private boolean sameTag(DirectBuffer buffer, int at) {
        int difference = 0;
        for (int i = 0; i < TAG_LENGTH; i++) {
            difference |= digest[i] ^ buffer.getByte(at + i);
        }
        return difference == 0;
    }

    /** The inner and outer pads of a key (RFC 2104: the key zero-padded to the block, XOR 0x36 and 0x5c). */
    private static byte[][] pads(byte[] key) {
        final byte[] ipad = new byte[BLOCK];
        final byte[] opad = new byte[BLOCK];
        for (int i = 0; i < BLOCK; i++) {
            final byte k = i < key.length ? key[i] : 0;
            ipad[i] = (byte) (k ^ 0x36);
            opad[i] = (byte) (k ^ 0x5c);
        }
        return new byte[][] {ipad, opad};
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides SHA-256", e);
        }
    }
}
