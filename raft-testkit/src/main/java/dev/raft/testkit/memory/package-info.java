/**
 * In-memory storage that honours the {@code dev.raft.api.storage} contracts exactly, for tests and the
 * deterministic simulation: an {@link dev.raft.testkit.memory.InMemoryDisk} holds what is durable and
 * survives a simulated crash; {@link dev.raft.testkit.memory.InMemoryLogStore} and
 * {@link dev.raft.testkit.memory.InMemorySnapshotStore} are opened on it, with a controllable flush
 * ({@link dev.raft.testkit.memory.FlushMode}); {@link dev.raft.testkit.memory.InMemoryStorageModule}
 * binds them with Guice.
 */
package dev.raft.testkit.memory;
