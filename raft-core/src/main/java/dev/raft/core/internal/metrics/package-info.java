/** Allocation-free publication of a node's {@link dev.raft.api.RaftMetrics} (sequence lock). Not exported. */
package dev.raft.core.internal.metrics;
