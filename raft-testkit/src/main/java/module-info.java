/**
 * What third-party storage authors and the framework's own tests rest on: the storage conformance
 * suite, in-memory storage, state machine and transport, the deterministic cluster simulation and
 * the linearizability checker.
 */
module dev.raft.testkit {
    requires transitive dev.raft.api;
    requires transitive dev.raft.core;
    requires transitive org.junit.jupiter.api;
    requires transitive com.google.guice;
    requires jakarta.inject;
    requires com.google.common;
    requires org.slf4j;

    exports dev.raft.testkit.memory;
    exports dev.raft.testkit.network;
    exports dev.raft.testkit.statemachine;
    exports dev.raft.testkit.conformance;
    exports dev.raft.testkit.linearizability;
    exports dev.raft.testkit.simulation;
    // JUnit runs the suite's test methods in the classes of third parties that extend it
    opens dev.raft.testkit.conformance to org.junit.platform.commons;
}
