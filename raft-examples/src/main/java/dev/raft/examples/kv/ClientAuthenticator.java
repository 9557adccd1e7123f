package dev.raft.examples.kv;

import dev.raft.transport.aeron.auth.FrameAuthenticator;
import dev.raft.transport.aeron.auth.KeyFile;
import dev.raft.transport.aeron.auth.KeyFileException;
import dev.raft.transport.aeron.auth.MacKeys;
import java.nio.file.Path;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Authenticates client-protocol frames with a <em>client key</em>, through the transport's frame MAC
 * ({@link FrameAuthenticator}: HMAC-SHA256 over the whole SBE message, truncated to {@value #TAG_LENGTH} bytes and
 * appended; a second key accepted during a rotation). Servers configured with a key drop (and count) every request
 * without a valid tag before decoding it; clients drop answers without one.
 *
 * <p>The client key is deliberately not the cluster key: every client holds it, and a holder of the cluster key
 * could forge Raft frames (depose leaders, inject log entries), while the client key only lets its holder do what a
 * client can. Key files have the cluster key's format ({@link KeyFile}: 64 hexadecimal digits per line, e.g. from
 * {@code openssl rand -hex 32}, mode 600; a second line is also accepted, for rotation). A tag proves who sent a
 * frame, not that it is fresh: a captured request can be replayed (a PUT then applies twice), and nothing is
 * encrypted.
 *
 * <p>Thread-safe: the (single-threaded) frame authenticator is used under the instance's lock.
 */
public final class ClientAuthenticator {
    /** Length of the truncated tag. */
    public static final int TAG_LENGTH = FrameAuthenticator.TAG_LENGTH;

    private final FrameAuthenticator frames;

    /** An authenticator with {@code keys} (the current key signs; both verify). */
    public ClientAuthenticator(MacKeys keys) {
        this.frames = new FrameAuthenticator(keys);
    }

    /**
     * Loads a key file ({@link KeyFile#load}).
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it (missing, readable by group or
     *                                  others with its mode, no key, not hexadecimal)
     */
    public static ClientAuthenticator fromFile(Path file) {
        try {
            return new ClientAuthenticator(KeyFile.load(file));
        } catch (KeyFileException e) {
            throw new IllegalArgumentException("client " + e.getMessage(), e);
        }
    }

    /**
     * Appends the tag of the frame {@code buffer[0, length)} right after it (an expandable buffer grows to fit).
     *
     * @return the frame's length with its tag
     */
    public int appendTag(MutableDirectBuffer buffer, int length) {
        buffer.checkLimit(length + TAG_LENGTH);
        sign(buffer, 0, length);
        return length + TAG_LENGTH;
    }

    /** Writes the tag of {@code buffer[offset, offset + length)} at {@code offset + length}. */
    public synchronized void sign(MutableDirectBuffer buffer, int offset, int length) {
        frames.sign(buffer, offset, length);
    }

    /** Whether the frame {@code buffer[offset, offset + length)} ends with a valid tag over the bytes before it. */
    public synchronized boolean verify(DirectBuffer buffer, int offset, int length) {
        return frames.verify(buffer, offset, length);
    }
}
