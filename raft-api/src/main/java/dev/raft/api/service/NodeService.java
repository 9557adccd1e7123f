package dev.raft.api.service;

/**
 * Work done on a node's own thread, in every duty cycle, attached with {@link dev.raft.api.RaftNode#attach}. Typical
 * use: poll a client-facing subscription, propose each command through the {@link NodeContext}, and answer each
 * client from the {@link OutcomeListener} callbacks — no thread of its own, no queue hop, no future per request.
 *
 * <p>Every method runs on the node thread, one at a time, interleaved with the node's own work. None may block:
 * while a method runs, the node neither replicates nor votes, so a slow service delays heartbeats and can cost the
 * leadership. A method that throws is logged and counted; an {@link Error} stops the node (fail-stop).
 */
public interface NodeService {
    /** A short name for logs and errors. */
    default String serviceName() {
        return getClass().getSimpleName();
    }

    /**
     * Called once when the service is attached, before its first {@link #doWork}. The context is valid until
     * {@link #onDetach()} returns and may only be used on the node thread.
     */
    void onAttach(NodeContext context);

    /**
     * One duty cycle's work.
     *
     * @param nowNanos the node's clock in this cycle
     * @return how much work was done (0 when idle: the node then idles between cycles)
     */
    int doWork(long nowNanos);

    /**
     * Called once when the service is detached ({@link dev.raft.api.RaftNode#detach}) or the node closes or fails
     * (then after every pending outcome was delivered as an error). Release what the service holds here. Outcomes
     * of a service detached from a running node may still arrive afterwards: ignore them.
     */
    default void onDetach() {
    }
}
