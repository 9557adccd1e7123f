package dev.raft.storage.file;

/** When appended log entries are reported durable. */
public enum DurabilityMode {
    /** One {@code FileChannel.force(false)} per group-commit batch before the flush callback fires. The default. */
    FSYNC,
    /**
     * No force: the flush callback fires once the entries are written to the OS page cache. Survives a
     * process crash but not a machine crash. For benchmarks and tests only.
     */
    NO_FSYNC
}
