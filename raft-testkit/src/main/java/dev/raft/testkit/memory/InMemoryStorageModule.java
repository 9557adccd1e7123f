package dev.raft.testkit.memory;

import com.google.inject.AbstractModule;
import com.google.inject.Provider;
import com.google.inject.Singleton;
import dev.raft.api.storage.LogStore;
import dev.raft.api.storage.SnapshotStore;

/**
 * Binds {@link LogStore} and {@link SnapshotStore} (and their in-memory types, and the {@link InMemoryDisk})
 * to stores opened on one disk, each once per injector.
 */
public final class InMemoryStorageModule extends AbstractModule {
    private final InMemoryDisk disk;
    private final FlushMode mode;

    /** Stores on a fresh disk, flushing immediately. */
    public InMemoryStorageModule() {
        this(new InMemoryDisk(), FlushMode.IMMEDIATE);
    }

    /**
     * Stores on {@code disk} (for example one that survived a simulated crash).
     *
     * @param disk the disk the stores are opened on
     * @param mode the log store's flush mode
     */
    public InMemoryStorageModule(InMemoryDisk disk, FlushMode mode) {
        if (disk == null || mode == null) {
            throw new IllegalArgumentException("InMemoryStorageModule: disk and mode must not be null");
        }
        this.disk = disk;
        this.mode = mode;
    }

    @Override
    protected void configure() {
        final Provider<InMemoryLogStore> logStore = () -> disk.openLogStore(mode);
        final Provider<InMemorySnapshotStore> snapshotStore = disk::openSnapshotStore;
        bind(InMemoryDisk.class).toInstance(disk);
        bind(InMemoryLogStore.class).toProvider(logStore).in(Singleton.class);
        bind(InMemorySnapshotStore.class).toProvider(snapshotStore).in(Singleton.class);
        bind(LogStore.class).to(InMemoryLogStore.class);
        bind(SnapshotStore.class).to(InMemorySnapshotStore.class);
    }
}
