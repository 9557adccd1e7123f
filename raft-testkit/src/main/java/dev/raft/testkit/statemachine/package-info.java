/** A simple deterministic state machine for tests: {@link dev.raft.testkit.statemachine.KvStateMachine}. */
package dev.raft.testkit.statemachine;
