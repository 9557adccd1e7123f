package dev.raft.testkit.conformance;

import dev.raft.testkit.memory.FlushMode;

/** The in-memory stores, flushing on a background thread (reports from another thread, crashes lose data), pass the suite. */
class InMemoryBackgroundFlushConformanceTest extends StorageConformanceSuite {
    @Override
    protected StorageFactory factory() {
        return new InMemoryStorageFactory(FlushMode.BACKGROUND);
    }
}
