/**
 * Exactly-once client sessions for any {@link dev.raft.api.statemachine.StateMachine}: a decorator
 * ({@link dev.raft.core.session.SessionStateMachine}) that remembers the last responses of every client in a
 * replicated table, answers a retried command from the table instead of applying it twice, refuses stale
 * retransmissions, expires idle sessions through the log, and keeps the table in every snapshot.
 *
 * <p>Wire side: a proposal is a {@link dev.raft.core.session.SessionCommand} envelope (client id, sequence,
 * acknowledged floor, leader timestamp, then the application's command); the state machine's answer is a
 * {@link dev.raft.core.session.SessionResponse} (a {@link dev.raft.core.session.SessionStatus} and the
 * application's response). The semantics follow the Raft dissertation, section 6.3.
 */
package dev.raft.core.session;
