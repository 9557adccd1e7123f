/**
 * Reads without the log (dissertation §6.4, after etcd-raft's {@code read_only.go}): the leader's ReadIndex
 * rounds and lease ({@link dev.raft.core.internal.engine.read.LeaderReads}), and follower reads that ask the
 * leader for a read index ({@link dev.raft.core.internal.engine.read.FollowerReads}); {@link
 * dev.raft.core.internal.engine.read.Reads} dispatches between them by role.
 */
package dev.raft.core.internal.engine.read;
