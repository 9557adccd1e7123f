/** The {@code raftkv} command-line tool and the replicated key-value store example. */
package dev.raft.examples;
