package dev.raft.testkit.conformance;

/**
 * The suite against the broken store chosen in {@link #defect}; run programmatically by
 * {@link BrokenStoresFailTheSuiteTest}, never by surefire directly (its name does not match).
 */
class BrokenStoreSuite extends StorageConformanceSuite {
    static volatile BrokenStores.Defect defect;

    @Override
    protected StorageFactory factory() {
        return new BrokenStores.Factory(defect);
    }
}
