/**
 * A third party's storage module, as an outside author would write it: it reaches the framework only through
 * exported packages on the module path. Its tests bind the testkit's conformance suite (crash and torn-crash
 * included) and the deterministic simulation, each in one class.
 */
module dev.raft.thirdparty {
    requires transitive dev.raft.storage.file;
    requires dev.raft.testkit;

    exports dev.raft.thirdparty;
    // JUnit instantiates the test classes patched into this package
    opens dev.raft.thirdparty;
}
