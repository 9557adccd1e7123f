package dev.raft.examples;

import java.util.Map;

/** Free loopback endpoints for tests in other packages (see {@link Demo#freeLoopbackEndpoints}). */
public final class TestPorts {
    private TestPorts() {
    }

    /** {@code count} endpoints {@code 127.0.0.1:port} whose port + 1 is free too, by id 1..count. */
    public static Map<Integer, String> loopback(int count) {
        return Demo.freeLoopbackEndpoints(count);
    }
}
