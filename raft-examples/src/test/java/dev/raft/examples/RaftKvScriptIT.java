package dev.raft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.examples.kv.KvClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs {@code bin/raftkv demo} itself, as the README tells a newcomer to. Runs in the {@code integration-test}
 * phase (see this module's pom), after {@code package} built the jar and {@code target/lib} the script launches
 * from; {@code RAFTKV_NO_BUILD=1} keeps the script from starting a nested build. Also runs {@code bin/raftkv client}
 * calls, which the script launches differently from the tests' JVMs (on the class path, with a class-data archive
 * it writes on the first call), against three servers.
 */
class RaftKvScriptIT {
    private record Run(int code, String out, String err) {
    }

    private static Run script(Path root, String... args) throws IOException, InterruptedException {
        final List<String> command = new ArrayList<>(List.of(root.resolve("bin/raftkv").toString()));
        command.addAll(List.of(args));
        final Path out = Files.createTempFile("raftkv-client-", ".out");
        final Path err = Files.createTempFile("raftkv-client-", ".err");
        try {
            final ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().put("RAFTKV_NO_BUILD", "1");
            builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
            final Process p = builder.start();
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("bin/raftkv " + String.join(" ", args) + " did not end within 90 s");
            }
            return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** A write until its outcome is known (exit 3, outcome unknown, is honest while a leader changes under load). */
    private static Run known(Path root, String... args) throws IOException, InterruptedException {
        Run run = script(root, args);
        for (int attempt = 1; attempt < 5 && run.code() == 3; attempt++) {
            run = script(root, args);
        }
        return run;
    }

    @Test
    @Timeout(value = 400, unit = TimeUnit.SECONDS)
    void binRaftkvClientCallsKeepTheirOutputAndExitCodes() throws Exception {
        final Path root = Path.of("").toAbsolutePath().getParent();
        try (ServerProcesses cluster = new ServerProcesses(3)) {
            for (int id = 1; id <= 3; id++) {
                cluster.start(id);
            }
            try (KvClient client = KvClient.builder(cluster.endpoints()).build()) {
                assertTrue(client.findLeader(Duration.ofSeconds(60)).isPresent(), "a leader");
            }
            final String[] c = {"client", "--cluster", cluster.peers(), "--timeout-ms", "20000"};
            final Run put = known(root, concat(c, "put", "script-key", "v1"));
            assertEquals(0, put.code(), put.toString());
            assertTrue(put.out().startsWith("OK"), put.toString());
            final Path valueFile = Files.createTempFile("raftkv-value-", ".txt");
            try {
                Files.writeString(valueFile, "from a file");
                final Run fromFile = known(root, concat(c, "put", "script-key", "--value-file", valueFile.toString()));
                assertEquals("OK (previous value: v1)", fromFile.out().strip(), fromFile.toString());
            } finally {
                Files.deleteIfExists(valueFile);
            }
            final Run get = script(root, concat(c, "get", "script-key"));
            assertEquals(0, get.code(), get.toString());
            assertEquals("from a file", get.out().strip(), get.toString());
            final Run missing = script(root, concat(c, "get", "no-such-key"));
            assertEquals(1, missing.code(), missing.toString());
            assertEquals("not found: no-such-key", missing.err().strip(), missing.toString());
            final Run json = script(root, concat(c, "status", "--json"));
            assertEquals(0, json.code(), json.toString());
            assertEquals(3, json.out().lines().filter(l -> l.startsWith("{\"node\":")).count(), json.toString());
            final Run usage = script(root, c);
            assertEquals(2, usage.code(), usage.toString());
            assertTrue(usage.err().contains("a client command is required"), usage.toString());
            assertTrue(usage.err().contains("Usage: raftkv client"), usage.toString());
            final Run unavailable = script(root, "client", "--cluster", "1=127.0.0.1:1", "--timeout-ms", "300", "put", "k", "v");
            assertEquals(4, unavailable.code(), unavailable.toString());
            assertEquals(1, unavailable.err().lines().filter(l -> l.startsWith("raftkv client:")).count(),
                unavailable.toString());
        }
    }

    private static String[] concat(String[] head, String... tail) {
        final String[] all = new String[head.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }
    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void binRaftkvDemoRunsTheNarratedDemoAndExitsZero() throws Exception {
        final Path root = Path.of("").toAbsolutePath().getParent();
        final Path script = root.resolve("bin/raftkv");
        assertTrue(Files.isExecutable(script), script + " is executable");
        final Path output = Files.createTempFile("raftkv-demo-", ".out");
        try {
            final ProcessBuilder builder = new ProcessBuilder(script.toString(), "demo").directory(root.toFile())
                .redirectErrorStream(true).redirectOutput(output.toFile());
            builder.environment().put("RAFTKV_NO_BUILD", "1");
            builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
            final Process demo = builder.start();
            final boolean exited = demo.waitFor(120, TimeUnit.SECONDS);
            if (!exited) {
                demo.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            final String out = Files.readString(output, StandardCharsets.UTF_8);
            System.out.println(out);
            assertTrue(exited, "bin/raftkv demo finished within 120 s:\n" + out);
            assertEquals(0, demo.exitValue(), out);
            assertTrue(out.contains("leader elected: node "), out);
            assertTrue(out.contains("1000/1000 writes committed"), out);
            assertTrue(out.contains("failover took"), out);
            assertTrue(out.contains("1000/1000 keys read back"), out);
            assertTrue(out.contains("caught up in"), out);
            assertTrue(out.contains("final state of every node"), out);
            assertTrue(out.contains("removed "), out);
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
