/** Configuration of a Raft node, built by a builder and validated when built. */
package dev.raft.api.config;
