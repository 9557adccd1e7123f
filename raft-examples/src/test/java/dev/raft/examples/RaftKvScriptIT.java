package dev.raft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs {@code bin/raftkv demo} itself, as the README tells a newcomer to. Runs in the {@code integration-test}
 * phase (see this module's pom), after {@code package} built the jar and {@code target/lib} the script launches
 * from; {@code RAFTKV_NO_BUILD=1} keeps the script from starting a nested build.
 */
class RaftKvScriptIT {
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
