package dev.raft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.module.ModuleDescriptor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ModuleGraphTest {
    private static List<ModuleDescriptor> frameworkModules() {
        return ModuleLayer.boot().modules().stream().map(Module::getDescriptor)
            .filter(d -> d.name().startsWith("dev.raft.")).collect(Collectors.toList());
    }

    @Test
    void everyArtifactIsANamedModule() {
        final Set<String> names = frameworkModules().stream().map(ModuleDescriptor::name).collect(Collectors.toSet());
        assertTrue(names.containsAll(Set.of("dev.raft.api", "dev.raft.core", "dev.raft.storage.file",
            "dev.raft.transport.aeron", "dev.raft.examples")), names.toString());
    }

    @Test
    void noSplitPackagesAndNoExportedInternals() {
        final Map<String, String> owner = new HashMap<>();
        for (ModuleDescriptor d : frameworkModules()) {
            for (String pkg : d.packages()) {
                final String previous = owner.put(pkg, d.name());
                assertTrue(previous == null, "package " + pkg + " is split between " + previous + " and " + d.name());
            }
            for (ModuleDescriptor.Exports e : d.exports()) {
                assertTrue(!e.source().contains(".internal"), d.name() + " exports internal package " + e.source());
            }
        }
    }

    @Test
    void storageAndTransportNeverDependOnCore() {
        for (ModuleDescriptor d : frameworkModules()) {
            if (d.name().equals("dev.raft.storage.file") || d.name().equals("dev.raft.transport.aeron")) {
                assertTrue(d.requires().stream().noneMatch(r -> r.name().equals("dev.raft.core")),
                    d.name() + " must not require dev.raft.core");
            }
        }
    }

    @Test
    void infoPrintsTheGraphAndTheDefaults() {
        final StringWriter out = new StringWriter();
        final CommandLine cli = RaftKv.commandLine().setOut(new PrintWriter(out));
        assertEquals(0, cli.execute("info"));
        assertTrue(out.toString().contains("dev.raft.api"), out.toString());
        assertTrue(out.toString().contains("electionTimeoutMillis=[150, 300)"), out.toString());
    }

    @Test
    void noSubcommandIsAUsageError() {
        final StringWriter err = new StringWriter();
        final CommandLine cli = RaftKv.commandLine().setErr(new PrintWriter(err));
        assertEquals(2, cli.execute());
        assertTrue(err.toString().contains("a subcommand is required"), err.toString());
    }
}
