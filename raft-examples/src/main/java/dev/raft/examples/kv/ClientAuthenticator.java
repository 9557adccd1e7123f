package dev.raft.examples.kv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Authenticates client-protocol frames with a <em>client key</em>: HMAC-SHA256 over the whole SBE message,
 * truncated to its first {@value #TAG_LENGTH} bytes, appended to the frame. Servers configured with a key drop
 * (and count) every request without a valid tag before decoding it; clients drop responses without one.
 *
 * <p>The client key is deliberately not the cluster key: every client holds it, and a holder of the cluster
 * key could forge Raft frames (depose leaders, inject log entries), while the client key only lets its holder
 * do what a client can. A tag proves who sent a frame, not that it is fresh: a captured request can be replayed
 * (a PUT then applies twice), and nothing is encrypted.
 *
 * <p>Thread-safe (one {@link Mac} per instance, used under the instance's lock).
 */
public final class ClientAuthenticator {
    /** Length of the truncated tag. */
    public static final int TAG_LENGTH = 16;
    /** The shortest key accepted, in bytes. */
    public static final int MIN_KEY_BYTES = 32;
    private static final int CHUNK = 4096;

    private final Mac mac;
    private final byte[] chunk = new byte[CHUNK];
    private final byte[] tag = new byte[32];
    private final byte[] received = new byte[TAG_LENGTH];

    /**
     * @param key the secret, at least {@value #MIN_KEY_BYTES} bytes
     * @throws IllegalArgumentException if the key is shorter
     */
    public ClientAuthenticator(byte[] key) {
        if (key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("client key: " + key.length + " bytes, at least " + MIN_KEY_BYTES
                + " needed");
        }
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JDK: " + e.getMessage(), e);
        }
    }

    /**
     * Loads a key file: its bytes are the key (e.g. {@code head -c 32 /dev/urandom > client.key; chmod 600
     * client.key}).
     *
     * @throws IllegalArgumentException naming the file if it cannot be read, is shorter than
     *                                  {@value #MIN_KEY_BYTES} bytes, or is readable by group or others
     */
    public static ClientAuthenticator fromFile(Path file) {
        final byte[] key;
        try {
            if (Files.getFileAttributeView(file, java.nio.file.attribute.PosixFileAttributeView.class) != null) {
                final Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
                if (mode.contains(PosixFilePermission.GROUP_READ) || mode.contains(PosixFilePermission.OTHERS_READ)) {
                    throw new IllegalArgumentException("client key file " + file + " is readable by group or others (mode "
                        + PosixFilePermissions.toString(mode) + "); chmod 600 it");
                }
            }
            key = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read client key file " + file + ": " + describe(e));
        }
        if (key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("client key file " + file + " holds " + key.length + " bytes, at least "
                + MIN_KEY_BYTES + " needed");
        }
        final ClientAuthenticator authenticator = new ClientAuthenticator(key);
        Arrays.fill(key, (byte) 0);
        return authenticator;
    }

    private static String describe(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Writes the tag of {@code buffer[offset, offset + length)} at {@code offset + length}. */
    public synchronized void sign(MutableDirectBuffer buffer, int offset, int length) {
        compute(buffer, offset, length);
        buffer.putBytes(offset + length, tag, 0, TAG_LENGTH);
    }

    /**
     * Whether the frame {@code buffer[offset, offset + length)} ends with a valid tag over the bytes before it
     * (constant time in the tag comparison).
     */
    public synchronized boolean verify(DirectBuffer buffer, int offset, int length) {
        if (length < TAG_LENGTH) {
            return false;
        }
        compute(buffer, offset, length - TAG_LENGTH);
        buffer.getBytes(offset + length - TAG_LENGTH, received, 0, TAG_LENGTH);
        int difference = 0;
        for (int i = 0; i < TAG_LENGTH; i++) {
            difference |= tag[i] ^ received[i];
        }
        return difference == 0;
    }

    private void compute(DirectBuffer buffer, int offset, int length) {
        for (int done = 0; done < length; done += CHUNK) {
            final int n = Math.min(CHUNK, length - done);
            buffer.getBytes(offset + done, chunk, 0, n);
            mac.update(chunk, 0, n);
        }
        try {
            mac.doFinal(tag, 0);
        } catch (javax.crypto.ShortBufferException e) {
            throw new IllegalStateException("HMAC-SHA256 tag of 32 bytes does not fit", e);
        }
    }
}
