package dev.raft.testkit.memory;

/** When an {@link InMemoryLogStore} makes appended entries durable and reports them to the flush callback. */
public enum FlushMode {
    /** Durable before {@code append} returns; the callback is called inside {@code append}, on the caller's thread. */
    IMMEDIATE,
    /**
     * Held until the test or simulation calls {@link InMemoryLogStore#flush()} or
     * {@link InMemoryLogStore#flushUpTo(long)}; a crash before that loses the entries. Deterministic.
     */
    MANUAL,
    /**
     * Flushed asynchronously by one background thread per store soon after each append (group commit);
     * the callback is called on that thread. Closer to a real disk; not deterministic.
     */
    BACKGROUND
}
