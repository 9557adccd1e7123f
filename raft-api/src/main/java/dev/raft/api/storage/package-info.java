/**
 * The storage SPI: a {@link dev.raft.api.storage.LogStore} (log entries and the vote) and a
 * {@link dev.raft.api.storage.SnapshotStore} (durable snapshot files). Every method's Javadoc states
 * what must be durable and when, and what a reopen after a crash sees; {@code raft-testkit}'s
 * conformance suite checks exactly these statements.
 *
 * <p>"Durable" means: survives a crash of the process or machine at any later instant. "Crash" means
 * the process stops without running any more of the store's code; everything not yet durable may be
 * lost, but nothing durable may be lost or changed.
 */
package dev.raft.api.storage;
