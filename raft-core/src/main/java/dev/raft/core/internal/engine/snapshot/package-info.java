/**
 * Snapshots: the follower's InstallSnapshot receive state machine (the seed's) with local builds, and the
 * leader's chunked, windowed, resumable sender with one {@code SnapshotTransfer} per follower.
 */
package dev.raft.core.internal.engine.snapshot;
