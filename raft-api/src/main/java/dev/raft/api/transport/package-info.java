/** The transport SPI: how Raft messages travel between nodes. */
package dev.raft.api.transport;
