/**
 * An in-memory transport for tests: a {@link dev.raft.testkit.network.LocalNetwork} hub connecting
 * {@link dev.raft.testkit.network.LocalTransport}s in one JVM, with per-link fault controls (drop,
 * delay, partition, heal), and {@link dev.raft.testkit.network.LocalTransportModule} for Guice.
 */
package dev.raft.testkit.network;
