package dev.raft.examples;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** The package-private helpers of {@code dev.raft.examples} that tests in other packages (the soak) use. */
public final class ExamplesTestSupport {
    private ExamplesTestSupport() {
    }

    /** See {@link Demo#freeLoopbackEndpoints(int)}: {@code count} endpoints on 127.0.0.1 with port and port + 1 free. */
    public static Map<Integer, String> freeLoopbackEndpoints(int count) {
        return Demo.freeLoopbackEndpoints(count);
    }

    /** See {@link Demo#deleteTree(Path)}. */
    public static void deleteTree(Path dir) throws IOException {
        Demo.deleteTree(dir);
    }

    /** Runs {@code raftkv args} in this JVM ({@link RaftKv#commandLine()}) with these outputs; returns its exit code. */
    public static int raftkv(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        return RaftKv.commandLine().setOut(out).setErr(err).execute(args);
    }

    /** See {@link ServerProcessTest#runtimeModulePath()}: the module path a {@code raftkv server} child JVM needs. */
    public static String runtimeModulePath() {
        return ServerProcessTest.runtimeModulePath();
    }
}
