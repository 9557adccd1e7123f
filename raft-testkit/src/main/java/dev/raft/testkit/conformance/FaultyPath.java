package dev.raft.testkit.conformance;

import java.io.IOException;
import java.net.URI;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;

/** A path of a {@link FaultInjectingFileSystem}: a real path seen through the fault-injecting layer. */
final class FaultyPath implements Path {
    private final FaultInjectingFileSystem fs;
    private final Path real;

    FaultyPath(FaultInjectingFileSystem fs, Path real) {
        this.fs = fs;
        this.real = real;
    }

    /** The real path behind {@code path}, which must belong to {@code fs}. */
    static Path unwrap(FaultInjectingFileSystem fs, Path path) {
        if (path instanceof FaultyPath p && p.fs == fs) {
            return p.real;
        }
        throw new java.nio.file.ProviderMismatchException(path + " is not a path of " + fs);
    }

    Path real() {
        return real;
    }

    private Path wrap(Path p) {
        return p == null ? null : new FaultyPath(fs, p);
    }

    private Path other(Path p) {
        return unwrap(fs, p);
    }

    @Override
    public FaultInjectingFileSystem getFileSystem() {
        return fs;
    }

    @Override
    public boolean isAbsolute() {
        return real.isAbsolute();
    }

    @Override
    public Path getRoot() {
        return wrap(real.getRoot());
    }

    @Override
    public Path getFileName() {
        return wrap(real.getFileName());
    }

    @Override
    public Path getParent() {
        return wrap(real.getParent());
    }

    @Override
    public int getNameCount() {
        return real.getNameCount();
    }

    @Override
    public Path getName(int index) {
        return wrap(real.getName(index));
    }

    @Override
    public Path subpath(int beginIndex, int endIndex) {
        return wrap(real.subpath(beginIndex, endIndex));
    }

    @Override
    public boolean startsWith(Path other) {
        return other instanceof FaultyPath p && p.fs == fs && real.startsWith(p.real);
    }

    @Override
    public boolean endsWith(Path other) {
        return other instanceof FaultyPath p && p.fs == fs && real.endsWith(p.real);
    }

    @Override
    public Path normalize() {
        return wrap(real.normalize());
    }

    @Override
    public Path resolve(Path other) {
        return wrap(real.resolve(other(other)));
    }

    @Override
    public Path relativize(Path other) {
        return wrap(real.relativize(other(other)));
    }

    @Override
    public URI toUri() {
        throw new UnsupportedOperationException("a path of the fault-injecting file system has no URI: " + this);
    }

    @Override
    public Path toAbsolutePath() {
        return wrap(real.toAbsolutePath());
    }

    @Override
    public Path toRealPath(LinkOption... options) throws IOException {
        return wrap(real.toRealPath(options));
    }

    @Override
    public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers) {
        throw new UnsupportedOperationException("the fault-injecting file system has no watch service");
    }

    @Override
    public int compareTo(Path other) {
        return real.compareTo(other(other));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FaultyPath p && p.fs == fs && p.real.equals(real);
    }

    @Override
    public int hashCode() {
        return real.hashCode();
    }

    @Override
    public String toString() {
        return real.toString();
    }
}
