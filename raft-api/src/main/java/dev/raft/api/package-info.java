/**
 * Value types of the Raft framework and the node facade.
 *
 * <p>Node ids are plain {@code int}s greater than zero (see {@link dev.raft.api.NodeId}); {@code 0}
 * means "no node" wherever an id is optional (no vote, no known leader). Log indexes start at 1;
 * index 0 with term 0 ({@link dev.raft.api.LogId#NONE}) stands for the empty log.
 */
package dev.raft.api;
