package dev.raft.testkit.conformance;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;

/** A real file channel seen through a {@link FaultInjectingFileSystem}: writes recorded, faults injected. */
final class FaultyFileChannel extends FileChannel {
    private final FaultInjectingFileSystem fs;
    private final FileChannel real;
    private final Path home;
    private final boolean append;
    /** The real file this channel writes to now (after renames), or null once the file is deleted. */
    private volatile Path path;
    private volatile boolean dead;

    FaultyFileChannel(FaultInjectingFileSystem fs, FileChannel real, Path path, boolean append) {
        this.fs = fs;
        this.real = real;
        this.home = path;
        this.path = path;
        this.append = append;
    }

    FileChannel real() {
        return real;
    }

    Path home() {
        return home;
    }

    Path path() {
        return path;
    }

    void path(Path now) {
        path = now;
    }

    /** The store owning this channel crashed: every later call fails, and the real channel (and its locks) closes. */
    void die() {
        dead = true;
        try {
            real.close();
        } catch (IOException ignored) {
            // closing a channel of a crashed store
        }
    }

    void checkAlive() throws IOException {
        if (dead) {
            throw new IOException("crashed (fault-injecting file system): " + home);
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        checkAlive();
        return real.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        checkAlive();
        return real.read(dsts, offset, length);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        checkAlive();
        return real.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return fs.write(this, append ? real.size() : real.position(), src.remaining(), () -> real.write(src));
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += write(srcs[i]);
        }
        return total;
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        return fs.write(this, position, src.remaining(), () -> real.write(src, position));
    }

    @Override
    public long position() throws IOException {
        checkAlive();
        return real.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        checkAlive();
        real.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        checkAlive();
        return real.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        fs.truncate(this, size);
        return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        fs.force(this, metaData);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        checkAlive();
        final ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(count, 64 * 1024));
        long done = 0;
        while (done < count) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), count - done));
            final int n = real.read(buffer, position + done);
            if (n <= 0) {
                break;
            }
            buffer.flip();
            while (buffer.hasRemaining()) {
                target.write(buffer);
            }
            done += n;
        }
        return done;
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        checkAlive();
        final ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(count, 64 * 1024));
        long done = 0;
        while (done < count) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), count - done));
            final int n = src.read(buffer);
            if (n <= 0) {
                break;
            }
            buffer.flip();
            done += write(buffer, position + done);
        }
        return done;
    }

    /** Read-only mappings pass through; a writable mapping would escape the layer, so it is refused. */
    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        checkAlive();
        if (mode != MapMode.READ_ONLY) {
            throw new UnsupportedOperationException("the fault-injecting file system cannot see writes through a " + mode
                + " mapping of " + home + "; declare the faults unsupported for this store");
        }
        return real.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        checkAlive();
        return real.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        checkAlive();
        return real.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        fs.closed(this);
        real.close();
    }
}
