package dev.raft.api.config;

/** How a node's thread waits when it has no work. */
public enum IdleMode {
    /** Spin, then yield, then park with growing pauses up to {@code maxParkMicros}. Fits shared cores. */
    BACKOFF,
    /** Never give up the core: lowest latency, needs a dedicated core per node thread. */
    BUSY_SPIN,
    /** {@link Thread#yield()} between duty cycles. */
    YIELD
}
