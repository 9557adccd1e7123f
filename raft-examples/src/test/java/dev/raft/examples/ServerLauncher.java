package dev.raft.examples;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Launches {@code raftkv} subcommands as child JVMs on this test's module path, the way bin/raftkv does. */
final class ServerLauncher {
    private ServerLauncher() {
    }

    /** A finished command: exit code and its combined stdout and stderr. */
    record Finished(int code, String output) {
        /** The lines of the output that come from raftkv itself, not from the framework's log. */
        List<String> raftkvLines() {
            return output.lines().filter(l -> l.startsWith("raftkv ")).toList();
        }
    }

    /** Starts {@code raftkv args...}, its output appended to {@code log}. */
    static Process start(Path log, String... args) throws IOException {
        final List<String> command = new ArrayList<>(List.of(
            ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + File.separator + "bin"
                + File.separator + "java"),
            "--add-exports", "java.base/jdk.internal.misc=org.agrona",
            "-Dguice_bytecode_gen_option=DISABLED", "-Xmx256m", "-XX:TieredStopAtLevel=1",
            "-p", ServerProcessTest.runtimeModulePath(),
            "-m", "dev.raft.examples/dev.raft.examples.RaftKv"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /** Runs {@code raftkv args...} to its end (at most {@code timeoutSeconds}). */
    static Finished run(Path log, long timeoutSeconds, String... args) throws IOException, InterruptedException {
        Files.deleteIfExists(log);
        final Process p = start(log, args);
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("raftkv " + String.join(" ", args) + " did not end within " + timeoutSeconds
                + " s:\n" + Files.readString(log));
        }
        return new Finished(p.exitValue(), Files.readString(log));
    }
}
