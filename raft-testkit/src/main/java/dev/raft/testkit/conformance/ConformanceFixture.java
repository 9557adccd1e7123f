package dev.raft.testkit.conformance;

import dev.raft.api.storage.LogStore;
import dev.raft.api.storage.SnapshotStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * What one case of {@link StorageConformanceSuite} works with: the store factory, fresh directories under the
 * case's root, the stores it opened (closed by {@link #closeAll()}), and the operation log of the running case
 * (for the message of an unexpected exception).
 */
final class ConformanceFixture {
    private final StorageFactory factory;
    private final Path root;
    private final String caseName;
    private final List<AutoCloseable> opened = new ArrayList<>();
    private OpLog current;

    /** A case named {@code caseName} (class.method) of the stores {@code factory} opens, in directories under {@code root}. */
    ConformanceFixture(StorageFactory factory, Path root, String caseName) {
        this.factory = factory;
        this.root = root;
        this.caseName = caseName;
    }

    StorageFactory factory() {
        return factory;
    }

    /** The operation log of the running case, or null before it made one. */
    OpLog current() {
        return current;
    }

    /** A new operation log for the case, current from now on. */
    OpLog ops() {
        current = new OpLog(storeName(), "");
        return current;
    }

    /** A new operation log for a random run of {@code seed}, that says how to replay it; current from now on. */
    OpLog seededOps(long seed, int operations) {
        current = new OpLog(storeName(), "seed " + seed + ": -Draft.conformance.seed=" + seed
            + " -Draft.conformance.ops=" + operations + " -Dtest=" + caseName.replace('.', '#'));
        return current;
    }

    /** A log store in directory {@code log} behind the checking harness (closed after the case). */
    LogHarness log() {
        final LogHarness h = new LogHarness(factory, dir("log"), ops());
        opened.add(h);
        return h;
    }

    /** A log store opened without the harness (closed after the case). */
    LogStore rawLog(String name) throws Exception {
        return track(factory.openLogStore(dir(name)));
    }

    /** A snapshot store in directory {@code name} (closed after the case). */
    SnapshotStore snapshots(String name) throws Exception {
        return track(factory.openSnapshotStore(dir(name)));
    }

    /** Closes {@code store} after the case. */
    <T extends AutoCloseable> T track(T store) {
        opened.add(store);
        return store;
    }

    /** The case's directory {@code name}, created if needed. */
    Path dir(String name) {
        try {
            return Files.createDirectories(root.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the case directory " + root.resolve(name), e);
        }
    }

    /** The seeds of {@code count} random runs, or only the one {@code raft.conformance.seed} names. */
    long[] seeds(int count) {
        final Long only = Long.getLong("raft.conformance.seed");
        if (only != null) {
            return new long[] {only};
        }
        final long[] seeds = new long[count];
        for (int i = 0; i < count; i++) {
            seeds[i] = 1000 + i;
        }
        return seeds;
    }

    /** Whether the factory can inject {@code fault}. */
    boolean supports(Fault fault) {
        return factory.unsupported(fault).isEmpty();
    }

    /** Skips the case unless the factory can inject {@code fault}. */
    void assumeFault(Fault fault) {
        final Optional<String> reason = factory.unsupported(fault);
        Assumptions.assumeTrue(reason.isEmpty(), () -> "skipped, needs fault " + fault + ": " + reason.orElse("")
            + " (faultSupportReport lists every case an unsupported fault skips)");
    }

    /** The factory's {@code toString()} if it has one of its own, else its class name. */
    String storeName() {
        try {
            final boolean named = factory.getClass().getMethod("toString").getDeclaringClass() != Object.class;
            return named ? factory.toString() : factory.getClass().getName();
        } catch (NoSuchMethodException e) {
            return factory.getClass().getName();
        }
    }

    /** Closes every store the case opened, the last first (quietly: a broken store may throw). */
    void closeAll() {
        Collections.reverse(opened);
        for (AutoCloseable c : opened) {
            try {
                c.close();
            } catch (Exception ignored) {
                // teardown only
            }
        }
        opened.clear();
    }
}
