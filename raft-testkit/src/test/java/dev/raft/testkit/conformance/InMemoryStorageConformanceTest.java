package dev.raft.testkit.conformance;

import dev.raft.testkit.memory.FlushMode;

/** The in-memory stores, flushing inside append, pass the whole suite. */
class InMemoryStorageConformanceTest extends StorageConformanceSuite {
    @Override
    protected StorageFactory factory() {
        return new InMemoryStorageFactory(FlushMode.IMMEDIATE);
    }
}
