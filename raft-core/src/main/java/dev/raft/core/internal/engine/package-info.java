/**
 * The sans-IO Raft engine: {@link dev.raft.core.internal.engine.RaftEngine} dispatches events (tick,
 * message, propose, log flushed, applied, snapshot IO reports) to the handler that owns each rule and the
 * handlers append commands to {@link dev.raft.core.internal.engine.Commands}, which the caller executes
 * after the event. Rules live by folder: {@code quorum/}, {@code election/}, {@code replication/},
 * {@code snapshot/}; the state they share is {@link dev.raft.core.internal.engine.RaftState}. No IO, no
 * threads, no clock reads; imports nothing from the runtime. Not exported.
 */
package dev.raft.core.internal.engine;
