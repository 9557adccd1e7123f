package dev.raft.testkit.conformance;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.spi.FileSystemProvider;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/** The provider of a {@link FaultInjectingFileSystem}: real operations on the real paths, recorded. */
final class FaultyFileSystemProvider extends FileSystemProvider {
    private final FaultInjectingFileSystem fs;
    private final FileSystemProvider real;

    FaultyFileSystemProvider(FaultInjectingFileSystem fs, FileSystemProvider real) {
        this.fs = fs;
        this.real = real;
    }

    private Path unwrap(Path p) throws IOException {
        final Path r = FaultyPath.unwrap(fs, p).toAbsolutePath();
        fs.checkAlive(r);
        return r;
    }

    @Override
    public String getScheme() {
        return "fault-injecting";
    }

    @Override
    public FileSystem newFileSystem(URI uri, Map<String, ?> env) {
        throw new UnsupportedOperationException("use FaultInjectingFileSystem.create()");
    }

    @Override
    public FileSystem getFileSystem(URI uri) {
        throw new UnsupportedOperationException("use FaultInjectingFileSystem.create()");
    }

    @Override
    public Path getPath(URI uri) {
        throw new UnsupportedOperationException("use FaultInjectingFileSystem.wrap(Path)");
    }

    @Override
    public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
        throws IOException {
        final Path r = unwrap(path);
        final FileChannel channel = real.newFileChannel(r, options, attrs);
        if (options.contains(StandardOpenOption.TRUNCATE_EXISTING) && options.contains(StandardOpenOption.WRITE)) {
            // the truncation at open is durable at once in this model (a metadata operation)
            fs.deleted(r);
        }
        final FaultyFileChannel faulty = new FaultyFileChannel(fs, channel, r, options.contains(StandardOpenOption.APPEND));
        fs.opened(faulty);
        return faulty;
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
        throws IOException {
        return newFileChannel(path, options, attrs);
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter) throws IOException {
        final DirectoryStream<Path> stream = real.newDirectoryStream(unwrap(dir), p -> filter.accept(fs.wrap(p)));
        return new DirectoryStream<>() {
            @Override
            public Iterator<Path> iterator() {
                final Iterator<Path> it = stream.iterator();
                return new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    @Override
                    public Path next() {
                        return fs.wrap(it.next());
                    }
                };
            }

            @Override
            public void close() throws IOException {
                stream.close();
            }
        };
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        real.createDirectory(unwrap(dir), attrs);
    }

    @Override
    public void delete(Path path) throws IOException {
        final Path r = unwrap(path);
        real.delete(r);
        fs.deleted(r);
    }

    @Override
    public void copy(Path source, Path target, CopyOption... options) throws IOException {
        final Path to = unwrap(target);
        real.copy(unwrap(source), to, options);
        fs.deleted(to);
    }

    @Override
    public void move(Path source, Path target, CopyOption... options) throws IOException {
        final Path from = unwrap(source);
        final Path to = unwrap(target);
        real.move(from, to, options);
        fs.moved(from, to);
    }

    @Override
    public boolean isSameFile(Path path, Path path2) throws IOException {
        return real.isSameFile(unwrap(path), unwrap(path2));
    }

    @Override
    public boolean isHidden(Path path) throws IOException {
        return real.isHidden(unwrap(path));
    }

    @Override
    public FileStore getFileStore(Path path) throws IOException {
        return real.getFileStore(unwrap(path));
    }

    @Override
    public void checkAccess(Path path, AccessMode... modes) throws IOException {
        real.checkAccess(unwrap(path), modes);
    }

    @Override
    public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
        return real.getFileAttributeView(FaultyPath.unwrap(fs, path), type, options);
    }

    @Override
    public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options)
        throws IOException {
        return real.readAttributes(unwrap(path), type, options);
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
        return real.readAttributes(unwrap(path), attributes, options);
    }

    @Override
    public void setAttribute(Path path, String attribute, Object value, LinkOption... options) throws IOException {
        real.setAttribute(unwrap(path), attribute, value, options);
    }
}
