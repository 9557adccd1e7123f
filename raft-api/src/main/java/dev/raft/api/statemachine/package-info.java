/** The state machine SPI: what the application replicates with Raft. */
package dev.raft.api.statemachine;
