package dev.raft.core.internal.engine;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The engine's transcripts (etcd-raft's datadriven style): each file under
 * {@code src/test/resources/dev/raft/core/engine/transcripts} is a list of directives, each followed by a
 * {@code ----} line and the output it must produce, blocks separated by a blank line; {@code #} lines are
 * comments. A mismatch fails with a line diff ({@code -} expected, {@code +} actual). Run with
 * {@code -Dtranscripts.rewrite=true} to write the actual output into the files instead (then review the diff).
 */
class TranscriptTest {
    private static final Path DIR = Path.of("src/test/resources/dev/raft/core/engine/transcripts");
    private static final boolean REWRITE = Boolean.getBoolean("transcripts.rewrite");

    @TestFactory
    Stream<DynamicTest> transcripts() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.filter(p -> p.toString().endsWith(".txt")).sorted().toList().stream()
                .map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> check(p)));
        }
    }

    private static void check(Path file) throws IOException {
        final List<String> lines = Files.readAllLines(file);
        final List<String> rewritten = new ArrayList<>();
        final Transcript transcript = new Transcript();
        final StringBuilder failures = new StringBuilder();
        int i = 0;
        while (i < lines.size()) {
            final String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) {
                rewritten.add(line);
                i++;
                continue;
            }
            final int directiveLine = i + 1;
            rewritten.add(line);
            i++;
            if (i >= lines.size() || !lines.get(i).equals("----")) {
                throw new IllegalStateException(file + ":" + directiveLine + ": expected ---- after " + line);
            }
            rewritten.add("----");
            i++;
            final List<String> expected = new ArrayList<>();
            while (i < lines.size() && !lines.get(i).isEmpty()) {
                expected.add(lines.get(i));
                i++;
            }
            final String actual = runDirective(transcript, line, file, directiveLine);
            final List<String> actualLines = actual.isEmpty() ? List.of() : List.of(actual.split("\n", -1));
            rewritten.addAll(actualLines);
            if (!actualLines.equals(expected) && failures.length() == 0) {
                failures.append(file.getFileName()).append(':').append(directiveLine).append(": ").append(line)
                    .append('\n').append(diff(expected, actualLines));
            }
        }
        if (REWRITE) {
            Files.write(file, rewritten);
        } else if (failures.length() > 0) {
            fail("transcript differs (- expected, + actual; rewrite with -Dtranscripts.rewrite=true):\n" + failures);
        }
    }

    private static String runDirective(Transcript transcript, String line, Path file, int lineNo) {
        final String[] words = line.trim().split("\\s+");
        final Map<String, String> args = new LinkedHashMap<>();
        for (int w = 1; w < words.length; w++) {
            final int eq = words[w].indexOf('=');
            args.put(eq < 0 ? words[w] : words[w].substring(0, eq), eq < 0 ? "" : words[w].substring(eq + 1));
        }
        try {
            return transcript.run(words[0], args);
        } catch (RuntimeException e) {
            throw new IllegalStateException(file + ":" + lineNo + ": " + line + " failed: " + e, e);
        }
    }

    /** A line diff by longest common subsequence: common lines indented, removed with -, added with +. */
    static String diff(List<String> expected, List<String> actual) {
        final int n = expected.size();
        final int m = actual.size();
        final int[][] lcs = new int[n + 1][m + 1];
        for (int a = n - 1; a >= 0; a--) {
            for (int b = m - 1; b >= 0; b--) {
                lcs[a][b] = expected.get(a).equals(actual.get(b)) ? lcs[a + 1][b + 1] + 1
                    : Math.max(lcs[a + 1][b], lcs[a][b + 1]);
            }
        }
        final StringBuilder sb = new StringBuilder();
        int a = 0;
        int b = 0;
        while (a < n || b < m) {
            if (a < n && b < m && expected.get(a).equals(actual.get(b))) {
                sb.append("  ").append(expected.get(a++)).append('\n');
                b++;
            } else if (a < n && (b == m || lcs[a + 1][b] >= lcs[a][b + 1])) {
                sb.append("- ").append(expected.get(a++)).append('\n');
            } else {
                sb.append("+ ").append(actual.get(b++)).append('\n');
            }
        }
        return sb.toString();
    }
}
