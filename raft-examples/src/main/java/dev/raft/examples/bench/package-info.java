/**
 * The cluster benchmark ({@code raftkv bench}): the same work as the Aeron Cluster reference peer's
 * {@code ClusterBench} — an echo state machine, one pipelined client over Aeron UDP (or proposals inside the
 * leader's JVM), closed-loop throughput and open-loop latency — and its report with the peer's JSON fields.
 */
package dev.raft.examples.bench;
