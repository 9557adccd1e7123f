package dev.raft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.examples.config.ServerSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment examples under {@code examples/}: the systemd unit passes {@code systemd-analyze verify} (or, where
 * that tool is missing, a structural check), the Dockerfile is structurally sound and launches what bin/raftkv
 * launches, and the example configuration is accepted by the server's settings.
 */
class DeploymentExamplesTest {
    private static final Path EXAMPLES = Path.of("").toAbsolutePath().getParent().resolve("examples");
    private static final Set<String> DOCKER_INSTRUCTIONS = Set.of("FROM", "WORKDIR", "COPY", "RUN", "USER", "VOLUME",
        "EXPOSE", "STOPSIGNAL", "ENTRYPOINT", "CMD", "ENV", "ARG", "LABEL", "HEALTHCHECK", "ADD", "SHELL", "ONBUILD");

    @Test
    void theSystemdUnitVerifies(@TempDir Path tmp) throws Exception {
        final Path unit = tmp.resolve("raftkv.service");
        Files.copy(EXAMPLES.resolve("raftkv.service"), unit);
        final String text = Files.readString(unit);
        assertTrue(text.contains("[Unit]") && text.contains("[Service]") && text.contains("[Install]"), text);
        assertTrue(text.contains("-m dev.raft.examples/dev.raft.examples.RaftKv server --config /etc/raftkv/raftkv.properties"), text);
        assertTrue(text.contains("RestartPreventExitStatus=2 65 73 77 78"), "restart only what a restart can fix");
        final Path tool = Path.of("/usr/bin/systemd-analyze");
        if (!Files.isExecutable(tool)) {
            for (String line : text.lines().filter(l -> !l.isBlank() && !l.startsWith("#") && !l.startsWith("[")).toList()) {
                assertTrue(line.matches("[A-Za-z]+=.+"), "a Key=value line: " + line);
            }
            return;
        }
        final Process p = new ProcessBuilder(tool.toString(), "verify", unit.toString()).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        // unknown keys are only warnings (exit 0): any line about the unit is a failure
        final List<String> complaints = out.lines().filter(l -> l.contains("raftkv.service")).toList();
        if (Files.isExecutable(Path.of("/usr/bin/java"))) {
            assertEquals(0, p.exitValue(), out);
            assertEquals(List.of(), complaints, out);
        } else {
            assertTrue(complaints.stream().allMatch(l -> l.contains("/usr/bin/java")), out);
        }
    }

    @Test
    void theDockerfileIsSoundAndLaunchesTheServer() throws Exception {
        final List<String> instructions = new ArrayList<>();
        final StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(EXAMPLES.resolve("Dockerfile"))) {
            if (current.isEmpty() && (line.isBlank() || line.startsWith("#"))) {
                continue;
            }
            current.append(line.endsWith("\\") ? line.substring(0, line.length() - 1) : line).append(' ');
            if (!line.endsWith("\\")) {
                instructions.add(current.toString().trim());
                current.setLength(0);
            }
        }
        assertTrue(current.isEmpty(), "no dangling continuation");
        assertTrue(instructions.get(0).startsWith("FROM "), "starts with FROM");
        for (String i : instructions) {
            assertTrue(DOCKER_INSTRUCTIONS.contains(i.split("\\s+")[0]), "a Dockerfile instruction: " + i);
        }
        final Path root = EXAMPLES.getParent();
        for (String i : instructions) {
            final Matcher copy = Pattern.compile("^COPY (?!--from)(\\S+) (\\S+)$").matcher(i);
            if (copy.find() && !copy.group(1).equals(".")) {
                assertTrue(Files.exists(root.resolve(copy.group(1))), "COPY source exists in the build context: " + i);
            }
        }
        final String entry = instructions.stream().filter(i -> i.startsWith("ENTRYPOINT ")).findFirst().orElseThrow();
        final String launcher = Files.readString(root.resolve("bin").resolve("raftkv"));
        assertTrue(entry.contains("\"--add-exports\", \"java.base/jdk.internal.misc=org.agrona\"")
            && launcher.contains("--add-exports java.base/jdk.internal.misc=org.agrona"), entry);
        assertTrue(entry.contains("\"dev.raft.examples/dev.raft.examples.RaftKv\"")
            && launcher.contains("dev.raft.examples/dev.raft.examples.RaftKv"), entry);
        assertTrue(instructions.contains("CMD [\"server\", \"--config\", \"/etc/raftkv/raftkv.properties\"]"), instructions.toString());
        assertTrue(Files.exists(root.resolve("mvnw")), "the build stage runs the wrapper");
    }

    @Test
    void theExampleConfigurationIsAccepted() {
        final ServerSettings s = ServerSettings.defaults().load(EXAMPLES.resolve("raftkv.properties"));
        assertEquals(64 << 20, s.storageConfig().segmentSizeBytes());
        final ServerPlan plan = ServerPlan.of(s);
        assertEquals(500, s.raftConfig(1, dev.raft.api.Membership.of(1, 2, 3)).electionTimeoutMinMillis());
        assertEquals(3, plan.options().endpoints().size());
        final StringWriter out = new StringWriter();
        final int code = RaftKv.commandLine().setOut(new PrintWriter(out, true))
            .execute("info", "--settings-only", "--config", EXAMPLES.resolve("raftkv.properties").toString(), "--id", "2");
        assertEquals(0, code);
        assertTrue(out.toString().contains("node.id = 2  # flag --id"), out.toString());
        assertTrue(out.toString().contains("storage.segmentSizeBytes = 64MiB  # config file " + EXAMPLES.resolve("raftkv.properties")), out.toString());
        assertTrue(out.toString().contains("raft.preVote = true  # default"), out.toString());
    }
}
