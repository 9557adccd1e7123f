/**
 * The node runtime: {@link dev.raft.core.internal.runtime.NodeRuntime}, an Agrona agent that owns one
 * engine on one thread, feeds it events and executes the commands each event emits
 * ({@link dev.raft.core.internal.runtime.CommandExecutor}) against storage, state machine and transport.
 * One class per concern: the intake of API calls from any thread, where the agent runs, recovery, the
 * AppendEntries filler, the applier with the pending proposals, reads, membership admin, node services,
 * snapshot builds, snapshot receiving and snapshot readers, metrics publishing, and teardown. Not exported; built through
 * {@link dev.raft.core.RaftNodeBuilder} or {@link dev.raft.core.RaftModule}.
 */
package dev.raft.core.internal.runtime;
