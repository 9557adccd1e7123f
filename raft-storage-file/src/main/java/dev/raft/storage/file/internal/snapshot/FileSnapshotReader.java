package dev.raft.storage.file.internal.snapshot;

import dev.raft.api.SnapshotMeta;
import dev.raft.api.error.StorageException;
import dev.raft.api.storage.SnapshotReader;
import dev.raft.storage.file.internal.StorageDirectory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Reads a finished snapshot through its own channel, so it stays valid after the file is replaced. */
final class FileSnapshotReader implements SnapshotReader {
    private final Path file;
    private final FileChannel channel;
    private final SnapshotMeta meta;
    private final long size;
    private final long dataOffset;
    private final int dataCrc;
    private volatile boolean closed;

    private FileSnapshotReader(Path file, FileChannel channel, SnapshotFile.Header header) {
        this.file = file;
        this.channel = channel;
        this.meta = header.meta();
        this.size = header.dataLength();
        this.dataOffset = header.dataOffset();
        this.dataCrc = header.dataCrc();
    }

    /** Opens a reader of a finished snapshot file. */
    static FileSnapshotReader open(Path file) throws IOException {
        final FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return new FileSnapshotReader(file, channel, SnapshotFile.readHeader(file, channel));
        } catch (IOException | RuntimeException e) {
            StorageDirectory.closeQuietly(channel);
            throw e;
        }
    }

    @Override
    public SnapshotMeta meta() {
        return meta;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int read(long position, ByteBuffer dst) {
        if (closed) {
            throw new IllegalStateException("snapshot reader of " + file + " is closed");
        }
        if (position < 0) {
            throw new IllegalArgumentException("SnapshotReader.read: position " + position + " is negative");
        }
        if (position >= size) {
            return -1;
        }
        final int limit = dst.limit();
        final long left = size - position;
        if (dst.remaining() > left) {
            dst.limit(dst.position() + (int) left);
        }
        try {
            return StorageDirectory.readFully(channel, dst, dataOffset + position);
        } catch (IOException e) {
            throw StorageException.retryable("cannot read snapshot " + file + " at byte " + (dataOffset + position) + ": " + e, e);
        } finally {
            dst.limit(limit);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>The stream checks the data's CRC32C as it goes: reading to the end of a snapshot whose bytes
     * changed on disk throws an {@link IOException} naming the file.
     */
    @Override
    public InputStream openStream() {
        return new InputStream() {
            private final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            private long position;
            private boolean skipped;

            @Override
            public int read() throws IOException {
                final byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                try {
                    final int n = FileSnapshotReader.this.read(position, ByteBuffer.wrap(b, off, len));
                    if (n > 0) {
                        crc.update(b, off, n);
                        position += n;
                    } else if (!skipped && (int) crc.getValue() != dataCrc) {
                        throw new IOException("snapshot " + meta.snapshotId() + " in " + file + ": the " + size
                            + " data bytes from byte " + dataOffset + " fail their CRC");
                    }
                    return n;
                } catch (StorageException e) {
                    throw new IOException(e.getMessage(), e);
                }
            }

            @Override
            public long skip(long n) {
                final long count = Math.max(0, Math.min(n, size - position));
                position += count;
                skipped |= count > 0;
                return count;
            }

            @Override
            public int available() {
                return (int) Math.min(Integer.MAX_VALUE, size - position);
            }
        };
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            StorageDirectory.closeQuietly(channel);
        }
    }

    @Override
    public String toString() {
        return "FileSnapshotReader{" + file.getFileName() + ", " + meta.snapshotId() + ", " + size + "B}";
    }
}
