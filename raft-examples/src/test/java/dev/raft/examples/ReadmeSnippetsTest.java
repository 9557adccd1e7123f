package dev.raft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every {@code ```java} snippet of the top-level README.md, compiled against the framework's modules and run in its
 * own JVM (which must then exit by itself): the snippets cannot rot. A snippet is the body of a {@code main} method
 * with the imports below; the {@code 127.0.0.1:<port>} endpoints it names are replaced by free ports.
 */
class ReadmeSnippetsTest {
    private static final String IMPORTS = String.join("\n",
        "import com.google.inject.Guice;",
        "import dev.raft.api.*;",
        "import dev.raft.api.config.RaftConfig;",
        "import dev.raft.api.statemachine.StateMachine;",
        "import dev.raft.core.*;",
        "import dev.raft.storage.file.*;",
        "import dev.raft.transport.aeron.*;",
        "import dev.raft.testkit.memory.InMemoryStorageModule;",
        "import dev.raft.testkit.network.*;",
        "import dev.raft.testkit.statemachine.KvStateMachine;",
        "import java.nio.charset.StandardCharsets;",
        "import java.nio.file.*;",
        "import java.time.Duration;",
        "import java.util.SplittableRandom;",
        "import java.util.concurrent.TimeUnit;",
        "import org.agrona.concurrent.SystemNanoClock;", "");

    private Path dir;

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory("raft-readme-");
    }

    @AfterEach
    void tearDown() throws IOException {
        Demo.deleteTree(dir);
    }

    /** The {@code ```java} blocks of {@code markdown}. */
    static List<String> javaSnippets(String markdown) {
        final List<String> out = new ArrayList<>();
        final Matcher m = Pattern.compile("(?ms)^```java\\n(.*?)^```").matcher(markdown);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void everyJavaSnippetOfTheReadmeCompilesAndRuns() throws Exception {
        final Path readme = Path.of("").toAbsolutePath().getParent().resolve("README.md");
        final List<String> snippets = javaSnippets(Files.readString(readme));
        assertTrue(snippets.size() >= 3, "the README's Java snippets: " + snippets.size());
        final String modulePath = snippetModulePath();
        for (int i = 0; i < snippets.size(); i++) {
            final String name = "ReadmeSnippet" + (i + 1);
            final Path source = dir.resolve(name + ".java");
            Files.writeString(source, IMPORTS + "public class " + name + " {\n    public static void main(String[] args) throws Exception {\n"
                + withFreePorts(snippets.get(i)) + "\n    }\n}\n");
            final Path classes = dir.resolve("classes-" + (i + 1));
            final ByteArrayOutputStream compilerOut = new ByteArrayOutputStream();
            final PrintStream print = new PrintStream(compilerOut, true, StandardCharsets.UTF_8);
            final int compiled = ToolProvider.findFirst("javac").orElseThrow().run(print, print, "--release", "17",
                "-proc:none", "--module-path", modulePath, "--add-modules", "ALL-MODULE-PATH", "-d", classes.toString(), source.toString());
            assertEquals(0, compiled, "README snippet " + (i + 1) + " does not compile:\n" + compilerOut + "\n" + snippets.get(i));
            final Path log = dir.resolve(name + ".log");
            final Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "--add-exports", "java.base/jdk.internal.misc=org.agrona", "-Dguice_bytecode_gen_option=DISABLED",
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-p", modulePath, "--add-modules", "ALL-MODULE-PATH",
                "-cp", classes.toString(), name)
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            final boolean ended = p.waitFor(90, TimeUnit.SECONDS);
            if (!ended) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            assertTrue(ended, "README snippet " + (i + 1) + " did not end by itself within 90 s:\n" + Files.readString(log));
            assertEquals(0, p.exitValue(), "README snippet " + (i + 1) + " failed:\n" + Files.readString(log));
        }
    }

    /** The runtime module path plus JUnit (the testkit requires it): every jar of this test but surefire's. */
    private static String snippetModulePath() {
        final List<String> path = new ArrayList<>(List.of(ServerProcessTest.runtimeModulePath().split(java.io.File.pathSeparator)));
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            final String unix = entry.replace(java.io.File.separatorChar, '/');
            if (entry.endsWith(".jar") && !unix.contains("/org/apache/maven/") && !path.contains(entry)) {
                path.add(entry);
            }
        }
        return String.join(java.io.File.pathSeparator, path);
    }

    private static String withFreePorts(String snippet) {
        final Matcher m = Pattern.compile("127\\.0\\.0\\.1:\\d+").matcher(snippet);
        final StringBuilder out = new StringBuilder();
        while (m.find()) {
            final Map<Integer, String> free = Demo.freeLoopbackEndpoints(1);
            m.appendReplacement(out, Matcher.quoteReplacement(free.get(1)));
        }
        m.appendTail(out);
        return out.toString();
    }
}
