/**
 * The sans-IO Raft engine: {@link dev.raft.core.internal.engine.RaftEngine} takes events (tick, message,
 * propose, log flushed) and emits commands through {@link dev.raft.core.internal.engine.EngineOutput}.
 * No IO, no threads, no clock reads; imports nothing from the runtime. Not exported.
 */
package dev.raft.core.internal.engine;
