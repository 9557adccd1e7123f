/**
 * Membership change by joint consensus (Raft paper §6): the configurations in the log and which one is in
 * force ({@link dev.raft.core.internal.engine.membership.ConfigHistory}), and the leader's rules for changing
 * them ({@link dev.raft.core.internal.engine.membership.MembershipChanges}).
 */
package dev.raft.core.internal.engine.membership;
