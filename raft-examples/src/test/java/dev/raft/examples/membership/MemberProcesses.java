package dev.raft.examples.membership;

import dev.raft.examples.ExamplesTestSupport;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code raftkv server} JVMs on 127.0.0.1 whose membership changes: ports for up to {@code capacity} node ids are
 * chosen up front; nodes of the initial cluster start with {@code --peers} of the initial ids, later ones with
 * {@code --join} and {@code --peers} of the running nodes and themselves. Each has its data and Aeron directory
 * under one temporary directory and its output in {@code server-N.log} there. {@link #close()} — also run by a
 * shutdown hook — kills every process (kill -9) and deletes the directory, so nothing outlives the test.
 */
final class MemberProcesses implements AutoCloseable {
    private static final List<String> TIMING = List.of("--election-timeout-ms", "400-800", "--heartbeat-ms", "100");

    private final Path dir;
    private final Map<Integer, String> endpoints;
    private final Map<Integer, Process> running = new TreeMap<>();
    private final Thread shutdownHook = new Thread(this::closeQuietly, "member-processes-cleanup");
    private int generation;

    MemberProcesses(int capacity) throws IOException {
        dir = Files.createTempDirectory("raftkv-members-");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        endpoints = ExamplesTestSupport.freeLoopbackEndpoints(capacity);
    }

    /** Every id's Raft endpoint, started or not. */
    Map<Integer, String> endpoints() {
        return endpoints;
    }

    String endpoint(int id) {
        return endpoints.get(id);
    }

    /** {@code id=host:port,...} of {@code ids}. */
    String peers(Collection<Integer> ids) {
        return ids.stream().sorted().map(id -> id + "=" + endpoints.get(id)).collect(Collectors.joining(","));
    }

    /** Starts the initial cluster {@code ids}. */
    void startInitial(List<Integer> ids) throws IOException {
        for (int id : ids) {
            start(id, peers(ids), false);
        }
    }

    /** Starts {@code id} with {@code --join}, knowing the running nodes. */
    void startJoining(int id) throws IOException {
        final List<Integer> known = new ArrayList<>(running.keySet());
        known.add(id);
        start(id, peers(known), true);
    }

    private void start(int id, String peers, boolean join) throws IOException {
        final List<String> command = new ArrayList<>(List.of(
            ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + File.separator + "bin"
                + File.separator + "java"),
            "--add-exports", "java.base/jdk.internal.misc=org.agrona",
            "-Dguice_bytecode_gen_option=DISABLED", "-Xmx192m", "-XX:TieredStopAtLevel=1",
            "-p", ExamplesTestSupport.runtimeModulePath(),
            "-m", "dev.raft.examples/dev.raft.examples.RaftKv",
            "server", "--id", Integer.toString(id), "--peers", peers, "--dir", dataDir(id).toString(),
            "--aeron-dir", dir.resolve("aeron-" + id + "-" + (++generation)).toString()));
        command.addAll(TIMING);
        if (join) {
            command.add("--join");
        }
        running.put(id, new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server-" + id + ".log").toFile())).start());
    }

    Path dataDir(int id) {
        return dir.resolve("node-" + id);
    }

    /** kill -9 of {@code id}; waits until it is gone. */
    void kill(int id) throws InterruptedException {
        final Process p = running.remove(id);
        if (p != null) {
            p.destroyForcibly();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("server " + id + " did not exit after kill -9");
            }
        }
    }

    /** Deletes the data directory of a stopped node: its disk died. */
    void wipe(int id) throws IOException {
        if (running.containsKey(id)) {
            throw new IllegalStateException("server " + id + " is running");
        }
        ExamplesTestSupport.deleteTree(dataDir(id));
    }

    /** The last lines of every server's log, for failure messages. */
    String logs() {
        final StringBuilder logs = new StringBuilder();
        for (int id : endpoints.keySet()) {
            final Path log = dir.resolve("server-" + id + ".log");
            try {
                if (Files.exists(log)) {
                    final List<String> lines = Files.readAllLines(log);
                    logs.append("--- server ").append(id).append(":\n")
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()))).append('\n');
                }
            } catch (IOException e) {
                logs.append("--- server ").append(id).append(": unreadable log: ").append(e.getMessage()).append('\n');
            }
        }
        return logs.toString();
    }

    private void closeQuietly() {
        for (Process p : running.values()) {
            p.destroyForcibly();
        }
        for (Process p : running.values()) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        running.clear();
        try {
            ExamplesTestSupport.deleteTree(dir);
        } catch (IOException e) {
            System.err.println("cannot delete " + dir + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        closeQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }
}
