/** Quorum math as pure functions: vote results and committed indexes of a majority and a joint configuration. */
package dev.raft.core.internal.engine.quorum;
