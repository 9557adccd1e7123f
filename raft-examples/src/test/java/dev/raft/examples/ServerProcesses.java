package dev.raft.examples;

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
 * {@code raftkv server} JVMs on 127.0.0.1 for tests, started by {@link ServerLauncher}: ports for up to
 * {@code capacity} node ids are chosen up front. A node of a fixed cluster starts with {@code --peers} of every id
 * ({@link #start}), one of an initial cluster with {@code --peers} of the initial ids ({@link #startInitial}), a
 * later one with {@code --join} and {@code --peers} of the running nodes and itself ({@link #startJoining}). Each has
 * its data and Aeron directory under one temporary directory and its output in {@code server-N.log} there. Killing
 * is {@code kill -9} ({@link Process#destroyForcibly()}). {@link #close()} — also run by a shutdown hook — kills every
 * process and deletes the directory, so nothing outlives the test.
 */
public final class ServerProcesses implements AutoCloseable {
    private static final int LOG_TAIL_LINES = 40;

    private final Path dir;
    private final Map<Integer, String> endpoints;
    private final List<String> serverOptions;
    private final Map<Integer, Process> running = new TreeMap<>();
    private final Thread shutdownHook = new Thread(this::closeQuietly, "server-processes-cleanup");
    private int generation;

    /**
     * Room for node ids 1..{@code capacity}; every server started gets {@code serverOptions} (timing flags, say)
     * after its id, peers and directories.
     */
    public ServerProcesses(int capacity, String... serverOptions) throws IOException {
        dir = Files.createTempDirectory("raftkv-servers-");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        endpoints = Demo.freeLoopbackEndpoints(capacity);
        this.serverOptions = List.of(serverOptions);
    }

    /** Every id's Raft endpoint, started or not. */
    public Map<Integer, String> endpoints() {
        return endpoints;
    }

    public String endpoint(int id) {
        return endpoints.get(id);
    }

    /** The {@code --peers} / {@code --cluster} value of every id. */
    public String peers() {
        return peers(endpoints.keySet());
    }

    /** {@code id=host:port,...} of {@code ids}. */
    public String peers(Collection<Integer> ids) {
        return ids.stream().sorted().map(id -> id + "=" + endpoints.get(id)).collect(Collectors.joining(","));
    }

    /** Starts (or restarts on its data directory) server {@code id} as a member of the cluster of every id. */
    public void start(int id) throws IOException {
        start(id, peers(), false);
    }

    /** Starts the initial cluster {@code ids}. */
    public void startInitial(List<Integer> ids) throws IOException {
        for (int id : ids) {
            start(id, peers(ids), false);
        }
    }

    /** Starts {@code id} with {@code --join}, knowing the running nodes. */
    public void startJoining(int id) throws IOException {
        final List<Integer> known = new ArrayList<>(running.keySet());
        known.add(id);
        start(id, peers(known), true);
    }

    private void start(int id, String peers, boolean join) throws IOException {
        final List<String> args = new ArrayList<>(List.of(
            "server", "--id", Integer.toString(id), "--peers", peers, "--dir", dataDir(id).toString(),
            "--aeron-dir", dir.resolve("aeron-" + id + "-" + (++generation)).toString()));
        args.addAll(serverOptions);
        if (join) {
            args.add("--join");
        }
        running.put(id, ServerLauncher.start(log(id), args.toArray(String[]::new)));
    }

    public Path dataDir(int id) {
        return dir.resolve("node-" + id);
    }

    private Path log(int id) {
        return dir.resolve("server-" + id + ".log");
    }

    /** kill -9 of server {@code id}; waits until it is gone. */
    public void kill(int id) throws InterruptedException {
        final Process p = running.remove(id);
        if (p != null) {
            p.destroyForcibly();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("server " + id + " did not exit after kill -9");
            }
        }
    }

    /** Deletes the data directory of a stopped node: its disk died. */
    public void wipe(int id) throws IOException {
        if (running.containsKey(id)) {
            throw new IllegalStateException("server " + id + " is running");
        }
        Demo.deleteTree(dataDir(id));
    }

    /** The last lines of every server's log, for failure messages. */
    public String logs() {
        final StringBuilder logs = new StringBuilder();
        for (int id : endpoints.keySet()) {
            final Path log = log(id);
            try {
                if (Files.exists(log)) {
                    final List<String> lines = Files.readAllLines(log);
                    logs.append("--- server ").append(id).append(":\n")
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size())))
                        .append('\n');
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
            Demo.deleteTree(dir);
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
