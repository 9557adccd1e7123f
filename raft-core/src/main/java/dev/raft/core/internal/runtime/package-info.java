/**
 * The node runtime: {@link dev.raft.core.internal.runtime.NodeRuntime}, an Agrona agent that owns one
 * engine on one thread and executes its commands against storage, state machine and transport. Not
 * exported; built through {@link dev.raft.core.RaftNodeBuilder} or {@link dev.raft.core.RaftModule}.
 */
package dev.raft.core.internal.runtime;
