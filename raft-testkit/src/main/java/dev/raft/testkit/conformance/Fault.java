package dev.raft.testkit.conformance;

/**
 * A fault the conformance suite can ask a {@link StorageFactory} to inject. A factory declares what it
 * cannot do with {@link StorageFactory#unsupported(Fault)}; the suite then skips the cases that need it,
 * reporting the factory's reason.
 */
public enum Fault {
    /**
     * A crash: {@link StorageFactory#crash(dev.raft.api.storage.LogStore, java.nio.file.Path)} and
     * {@link StorageFactory#crash(dev.raft.api.storage.SnapshotStore, java.nio.file.Path)} stop a store as if
     * its process died at that instant; only what the contract calls durable must survive.
     */
    CRASH,
    /**
     * A crash in the middle of writing unflushed entries:
     * {@link StorageFactory#crashTearingUnflushed(dev.raft.api.storage.LogStore, java.nio.file.Path)} leaves
     * a partly written last entry behind, which the reopened store must drop.
     */
    TORN_CRASH,
    /** {@link StorageFactory#failNextSnapshotWrite}: the next sink write fails with a retryable error. */
    SNAPSHOT_WRITE_FAILURE,
    /** {@link StorageFactory#failNextSnapshotFinish}: the next sink finish fails to make the snapshot durable. */
    SNAPSHOT_FINISH_FAILURE
}
