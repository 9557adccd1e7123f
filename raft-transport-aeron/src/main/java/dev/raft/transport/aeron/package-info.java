/** The public entry points of the Aeron transport: {@code AeronTransportModule} and its configuration. */
package dev.raft.transport.aeron;
