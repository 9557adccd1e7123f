/** The errors of the framework. Every one is a {@link dev.raft.api.error.RaftException}. */
package dev.raft.api.error;
