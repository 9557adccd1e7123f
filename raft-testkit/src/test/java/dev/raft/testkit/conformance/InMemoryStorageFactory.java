package dev.raft.testkit.conformance;

import dev.raft.api.storage.LogStore;
import dev.raft.api.storage.SnapshotStore;
import dev.raft.testkit.memory.FlushMode;
import dev.raft.testkit.memory.InMemoryDisk;
import dev.raft.testkit.memory.InMemoryLogStore;
import dev.raft.testkit.memory.InMemorySnapshotStore;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The in-memory stores for the suite: one {@link InMemoryDisk} per directory; supports every fault. */
class InMemoryStorageFactory implements StorageFactory {
    private final Map<Path, InMemoryDisk> disks = new ConcurrentHashMap<>();
    private final FlushMode mode;

    InMemoryStorageFactory(FlushMode mode) {
        this.mode = mode;
    }

    InMemoryDisk disk(Path dir) {
        return disks.computeIfAbsent(dir, d -> new InMemoryDisk());
    }

    @Override
    public LogStore openLogStore(Path dir) {
        return disk(dir).openLogStore(mode);
    }

    @Override
    public SnapshotStore openSnapshotStore(Path dir) {
        return disk(dir).openSnapshotStore();
    }

    @Override
    public Optional<String> unsupported(Fault fault) {
        return Optional.empty();
    }

    @Override
    public void crash(LogStore store, Path dir) {
        ((InMemoryLogStore) store).crash();
    }

    @Override
    public void crash(SnapshotStore store, Path dir) {
        ((InMemorySnapshotStore) store).crash();
    }

    @Override
    public void crashTearingUnflushed(LogStore store, Path dir) {
        // memory cannot hold half an entry: keep a prefix of the unflushed ones instead
        ((InMemoryLogStore) store).crash(1);
    }

    @Override
    public void failNextSnapshotWrite(SnapshotStore store) {
        ((InMemorySnapshotStore) store).failNextWrite();
    }

    @Override
    public void failNextSnapshotFinish(SnapshotStore store) {
        ((InMemorySnapshotStore) store).failNextFinish();
    }
}
