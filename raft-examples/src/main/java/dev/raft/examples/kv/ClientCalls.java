package dev.raft.examples.kv;

import dev.raft.api.NodeId;
import dev.raft.core.session.SessionStatus;
import dev.raft.examples.internal.codec.RequestKind;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.agrona.concurrent.IdleStrategy;

/**
 * A {@link KvClient}'s calls: each sends its command to the leader (or to one fixed node), follows NOT_LEADER answers,
 * re-sends when an answer is lost (a write in this client's session with the same session id and sequence), waits
 * for answers while {@link ClusterProbes} finds out who leads, and ends in exactly one {@link KvOutcome}. Thread-safe:
 * each call is its caller's own.
 */
final class ClientCalls {
    private final ClientChannels channels;
    private final ClusterView view;
    private final ClusterProbes probes;
    private final long probeIntervalNanos;
    private final long connectNanos;
    private final long clientId = newClientId();
    private final SessionSequences sequences = new SessionSequences();

    /**
     * Calls through {@code channels}, probing every {@code probeIntervalNanos} while an answer is late, and taking a
     * node whose channel does not connect within {@code connectNanos} as unreachable.
     */
    ClientCalls(ClientChannels channels, ClusterView view, ClusterProbes probes, long probeIntervalNanos,
                long connectNanos) {
        this.channels = channels;
        this.view = view;
        this.probes = probes;
        this.probeIntervalNanos = probeIntervalNanos;
        this.connectNanos = connectNanos;
    }

    /** A random, non-zero session id. */
    private static long newClientId() {
        final SecureRandom random = new SecureRandom();
        long id;
        do {
            id = random.nextLong();
        } while (id == 0);
        return id;
    }

    /** This client's session id (random, never 0). */
    long clientId() {
        return clientId;
    }

    /**
     * A write in this client's session on the leader: the next sequence, re-sent with that sequence whenever its
     * answer is lost, so it is applied at most once whatever happens and exactly once if the outcome is OK.
     */
    KvOutcome write(byte[] command, Duration timeout) {
        final long sequence = sequences.begin();
        try {
            return call(command, RequestKind.COMMAND, sequence, false, NodeId.NONE, timeout);
        } finally {
            sequences.end(sequence);
        }
    }

    /**
     * One call of {@code kind} to the leader, or to {@code fixedNode} (re-sent to it) unless NONE: {@code sequence} 0
     * for a call without a session, re-sent freely if {@code resendable} (it changes nothing) and else sent at most
     * once past the point where it may have been proposed; a non-zero {@code sequence} is a write in this client's
     * session, re-sent with the same sequence.
     */
    KvOutcome call(byte[] command, RequestKind kind, long sequence, boolean resendable, int fixedNode,
              Duration timeout) {
        if (command.length > ClientProtocol.MAX_COMMAND_BYTES) {
            return new KvOutcome.Failed(KvOutcome.Failed.Reason.REJECTED, "the command is " + command.length
                + " bytes long; the limit is " + ClientProtocol.MAX_COMMAND_BYTES + " bytes");
        }
        final boolean write = sequence != 0;
        final long start = System.nanoTime();
        final long deadline = start + timeout.toNanos();
        final IdleStrategy idle = ClientChannels.newIdle();
        final List<String> refusals = new ArrayList<>();
        int redirectedFrom = NodeId.NONE;
        /* why an earlier send may have been applied (null: none can have been); a re-send keeps it */
        String mayBeApplied = null;
        int sends = 0;
        while (true) {
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                return mayBeApplied != null
                    ? new KvOutcome.Unknown(mayBeApplied + "; no answer to its " + sends + " send(s) within " + timeout.toMillis()
                        + " ms (" + probes.summary() + ")")
                    : new KvOutcome.Failed(KvOutcome.Failed.Reason.UNAVAILABLE, "no leader accepted the command within "
                        + timeout.toMillis() + " ms" + refusalText(refusals) + " (" + probes.summary() + ")");
            }
            final String misnamed = view.misnamed();
            if (misnamed != null) {
                final String wrong = "the cluster list is wrong: " + misnamed;
                return mayBeApplied == null ? new KvOutcome.Failed(KvOutcome.Failed.Reason.REJECTED, wrong)
                    : new KvOutcome.Unknown(mayBeApplied + "; then " + wrong);
            }
            final ClusterView.Target target = fixedNode == NodeId.NONE ? view.leader(now) : view.node(fixedNode);
            if (target == null || target.id() == redirectedFrom) {
                redirectedFrom = NodeId.NONE;
                probes.awaitNews(deadline, idle);
                continue;
            }
            if (!awaitConnected(target, deadline, idle)) {
                continue;
            }
            final ClientChannels.Call call = channels.newCall();
            try {
                final ClientChannels.Sent sent = write
                    ? channels.send(target.endpoint(), call.correlationId, kind, command, clientId, sequence,
                        sequences.ackedBelow(sequence))
                    : channels.send(target.endpoint(), call.correlationId, kind, command);
                if (sent != ClientChannels.Sent.SENT) {
                    idle.idle(channels.poll()); // back-pressured: nothing left this client
                    continue;
                }
                sends++;
                final long sentAt = System.nanoTime();
                idle.reset();
                while (true) {
                    final KvClient.Response r = call.response;
                    if (r != null) {
                        if (r.code() == KvClient.Response.Code.OK) {
                            return r.result() != null
                                ? new KvOutcome.Ok(r.result(), r.nodeId(), r.session() == SessionStatus.REPLAYED)
                                : new KvOutcome.Unknown("node " + r.nodeId() + " answered without a result"
                                    + (r.session() == SessionStatus.REPLAYED_WITHOUT_RESPONSE
                                    ? " (the command was applied once; its answer was too long to keep)" : ""));
                        }
                        if (r.code() == KvClient.Response.Code.REJECTED) {
                            // this send was not applied; an earlier one may have been
                            return mayBeApplied == null ? new KvOutcome.Failed(KvOutcome.Failed.Reason.REJECTED, r.message())
                                : new KvOutcome.Unknown(r.message() + "; an earlier send may have been applied: "
                                    + mayBeApplied);
                        }
                        if (r.code() == KvClient.Response.Code.ERROR) {
                            if (write) {
                                mayBeApplied = r.message();
                            } else if (resendable) {
                                note(refusals, r.message());
                            } else {
                                return new KvOutcome.Unknown(r.message());
                            }
                        } else {
                            note(refusals, "node " + r.nodeId() + ": not the leader");
                        }
                        redirectedFrom = fixedNode == NodeId.NONE
                            && (r.leaderId() == NodeId.NONE || r.leaderId() == r.nodeId()) ? r.nodeId() : NodeId.NONE;
                        if (fixedNode != NodeId.NONE) {
                            probes.awaitNews(deadline, idle); // the node asked could not serve it yet: retry shortly
                        }
                        break;
                    }
                    now = System.nanoTime();
                    if (now - deadline >= 0) {
                        if (resendable) {
                            return new KvOutcome.Failed(KvOutcome.Failed.Reason.UNAVAILABLE, "no answer within "
                                + timeout.toMillis() + " ms (" + probes.summary() + ")");
                        }
                        return new KvOutcome.Unknown("node " + target.id() + " did not answer within " + timeout.toMillis()
                            + " ms after the command was sent (" + sends + " send(s)); it may have been applied ("
                            + probes.summary() + ")");
                    }
                    if (now - sentAt > probeIntervalNanos) {
                        probes.probe(now);
                        if (view.gone(target, now)) {
                            if (write) {
                                mayBeApplied = "node " + target.id() + " stopped answering or lost its leadership after the"
                                    + " command was sent";
                            } else if (!resendable) {
                                return new KvOutcome.Unknown("node " + target.id() + " stopped answering or lost its"
                                    + " leadership after the command was sent; it may have been applied ("
                                    + probes.summary() + ")");
                            }
                            break; // re-send (a write with the same sequence) to whoever leads now
                        }
                    }
                    idle.idle(channels.poll());
                }
            } finally {
                channels.forget(call);
            }
        }
    }

    private static void note(List<String> refusals, String refusal) {
        if (!refusals.contains(refusal)) {
            refusals.add(refusal);
        }
    }

    private static String refusalText(List<String> refusals) {
        return refusals.isEmpty() ? "" : ": " + String.join("; ", refusals);
    }

    /** Waits for the channel to {@code target} to connect; false (and the node marked unreachable) if it does not. */
    private boolean awaitConnected(ClusterView.Target target, long deadline, IdleStrategy idle) {
        final long until = Math.min(deadline, System.nanoTime() + connectNanos);
        idle.reset();
        while (!channels.isConnected(target.endpoint())) {
            final long now = System.nanoTime();
            if (now - until >= 0) {
                if (now - deadline < 0) {
                    view.onUnreachable(target.id());
                }
                return false;
            }
            probes.probe(now);
            idle.idle(channels.poll());
        }
        return true;
    }
}
