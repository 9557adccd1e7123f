/**
 * The storage conformance suite for third-party {@code LogStore} and {@code SnapshotStore} implementations:
 * extend {@link dev.raft.testkit.conformance.StorageConformanceSuite} in a JUnit 5 test and return a
 * {@link dev.raft.testkit.conformance.StorageFactory} that opens your stores on a directory; declare the
 * {@link dev.raft.testkit.conformance.Fault}s you can inject. Failures start with one of the
 * {@link dev.raft.testkit.conformance.StorageContracts}, followed by the operations that broke it (and the
 * seed for random cases).
 */
package dev.raft.testkit.conformance;
