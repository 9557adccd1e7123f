/**
 * A linearizability checker for register and key-value histories.
 *
 * <p>Record what clients did with a {@link dev.raft.testkit.linearizability.HistoryRecorder} (one
 * {@code invoke} before the request is sent, then {@code ok}, {@code fail} or nothing once the
 * outcome is known), then check the {@link dev.raft.testkit.linearizability.History} against a
 * {@link dev.raft.testkit.linearizability.Model} with a
 * {@link dev.raft.testkit.linearizability.LinearizabilityChecker}. The checker runs the Wing–Gong
 * search with the optimizations of Lowe and of Porcupine: the history is split into independent
 * partitions (per key for {@link dev.raft.testkit.linearizability.KvModel}), each partition is a
 * doubly linked list of call and return events, and every (linearized set, model state)
 * configuration already explored is memoized so that it is never explored twice. An operation
 * whose outcome is unknown (it never returned) may take effect at any point after its call, or
 * never. A violation is reported with a minimal failing sub-history.
 */
package dev.raft.testkit.linearizability;
