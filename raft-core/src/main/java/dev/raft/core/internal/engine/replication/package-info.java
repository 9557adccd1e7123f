/**
 * Log replication: the leader side (per-follower {@code Progress} with probe / replicate / snapshot states
 * and an in-flight window bounded by messages and bytes, heartbeats, the commit rule), the follower side
 * (AppendEntries handling, truncation, acknowledgement of durable entries) and the one byte-limit rule.
 */
package dev.raft.core.internal.engine.replication;
