package dev.raft.thirdparty;

import dev.raft.testkit.conformance.FileStoreFactory;
import dev.raft.testkit.conformance.StorageConformanceSuite;
import dev.raft.testkit.conformance.StorageFactory;

/**
 * The whole binding of a third-party file store to the conformance suite: one class, exported packages only.
 * The kit injects every fault (crash, torn crash, failed write, failed finish) through its fault-injecting
 * file system, so the store needs no test hooks.
 */
class ThirdPartyConformanceTest extends StorageConformanceSuite {
    @Override
    protected StorageFactory factory() {
        return FileStoreFactory.of(ThirdPartyStores::openLog, ThirdPartyStores::openSnapshots)
            .withMaxEntryBytes(ThirdPartyStores.CONFIG.maxEntryBytes());
    }
}
