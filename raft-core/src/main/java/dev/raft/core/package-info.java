/** The public entry points of the Raft core: {@code RaftModule} and the node runtime. */
package dev.raft.core;
