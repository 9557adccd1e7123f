package dev.raft.transport.aeron.internal.channel;

import dev.raft.transport.aeron.AeronTransportConfig;
import dev.raft.transport.aeron.auth.FrameAuthenticator;
import dev.raft.transport.aeron.auth.KeyFile;
import dev.raft.transport.aeron.auth.KeyFileException;
import dev.raft.transport.aeron.auth.MacKeys;
import dev.raft.transport.aeron.internal.codec.MessageHeaderDecoder;
import dev.raft.transport.aeron.internal.counters.TransportCounters;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticated frames of one node: every frame sent ends in a trailer {@code sequence (int64) ++ tag (16
 * bytes)}, the tag an HMAC-SHA256 over the whole frame before it (header, body and sequence). On receipt the
 * tag is checked before anything else; after the frame decodes, its sequence must exceed the last one
 * delivered from the same sender, so a captured frame replayed later is dropped.
 *
 * <p>Sequences: one counter per sending node, starting at {@code currentTimeMillis << 20} and incremented
 * per frame, so a restarted sender continues above what it sent before (unless its wall clock went back by
 * more than it was down). A restarted receiver accepts the first frame of each sender it sees and orders
 * from there.
 *
 * <p>The key file is reloaded when it changes (checked every {@link AeronTransportConfig#keyReloadMillis()}
 * on the polling thread), which is how keys rotate without a restart. Used only by the node's thread.
 */
final class FrameGuard {
    /** Bytes appended to every frame: the sequence and the tag. */
    static final int TRAILER_LENGTH = Long.BYTES + FrameAuthenticator.TAG_LENGTH;

    private static final Logger LOG = LoggerFactory.getLogger(FrameGuard.class);
    private static final ByteOrder ORDER = MessageHeaderDecoder.BYTE_ORDER;

    private final int localId;
    private final Path keyFile;
    private final long reloadNanos;
    private final TransportCounters counters;
    private final FrameAuthenticator authenticator;
    private final Long2LongHashMap lastDelivered = new Long2LongHashMap(Long.MIN_VALUE);
    private long nextSequence = System.currentTimeMillis() << 20;
    private long received;
    private long nextCheck;
    private Object fileVersion;

    /**
     * A guard signing with {@code keys}, loaded from {@link AeronTransportConfig#keyFile()} before the transport
     * started (so a bad file fails the start with its own message). The file is read again at the first reload
     * check, in case it changed since.
     */
    FrameGuard(AeronTransportConfig config, MacKeys keys, TransportCounters counters) {
        this.localId = config.nodeId();
        this.keyFile = config.keyFile();
        this.reloadNanos = TimeUnit.MILLISECONDS.toNanos(config.keyReloadMillis());
        this.counters = counters;
        this.authenticator = new FrameAuthenticator(keys);
        this.nextCheck = System.nanoTime() + reloadNanos;
    }

    /**
     * Appends the trailer to the frame {@code buffer[offset, offset + length)}; the buffer must have
     * {@link #TRAILER_LENGTH} bytes of room after it.
     */
    void seal(MutableDirectBuffer buffer, int offset, int length) {
        buffer.putLong(offset + length, nextSequence++, ORDER);
        authenticator.sign(buffer, offset, length + Long.BYTES);
    }

    /** Whether the frame's tag is valid (current or second key); if so, its sequence is kept for {@link #fresh}. */
    boolean verify(DirectBuffer buffer, int offset, int length) {
        if (length < TRAILER_LENGTH || !authenticator.verify(buffer, offset, length)) {
            return false;
        }
        received = buffer.getLong(offset + length - TRAILER_LENGTH, ORDER);
        return true;
    }

    /**
     * Whether the last verified frame, decoded as coming from {@code sender}, is newer than every frame
     * delivered from that sender; if so it becomes the newest.
     */
    boolean fresh(int sender) {
        if (received <= lastDelivered.get(sender)) {
            return false;
        }
        lastDelivered.put(sender, received);
        return true;
    }

    /** Reloads the key file if the reload interval passed and the file changed. */
    void maybeReload(long nowNanos) {
        if (reloadNanos == 0 || nowNanos - nextCheck < 0) {
            return;
        }
        nextCheck = nowNanos + reloadNanos;
        final Object version = version(keyFile);
        if (Objects.equals(version, fileVersion)) {
            return;
        }
        fileVersion = version;
        try {
            final MacKeys keys = KeyFile.load(keyFile);
            if (!keys.equals(authenticator.keys())) {
                authenticator.keys(keys);
                counters.onKeyReload();
                LOG.info("node {}: cluster keys reloaded from {} ({})", localId, keyFile,
                    keys.hasSecond() ? "signing with the first key, accepting both" : "one key");
            }
        } catch (KeyFileException e) {
            counters.onKeyReloadFailure();
            LOG.error("node {}: keeping the cluster keys in use: {}", localId, e.getMessage());
        }
    }

    /** What identifies a version of the file: its file key (inode), modification time and size; null if absent. */
    private static Object version(Path file) {
        try {
            final BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return java.util.List.of(String.valueOf(a.fileKey()), a.lastModifiedTime(), a.size());
        } catch (IOException e) {
            return null;
        }
    }
}
