package dev.raft.examples;

import dev.raft.api.Membership;
import dev.raft.api.config.RaftConfig;
import java.io.PrintWriter;
import java.lang.module.ModuleDescriptor;
import java.util.Comparator;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code raftkv info}: prints the framework's module graph and the default node configuration. */
@Command(name = "info", mixinStandardHelpOptions = true,
    description = "Print the framework's JPMS module graph and the default Raft configuration.")
final class InfoCommand implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        final PrintWriter out = spec.commandLine().getOut();
        out.println("dev.raft modules (JPMS, as resolved in this JVM):");
        ModuleLayer.boot().modules().stream()
            .map(Module::getDescriptor)
            .filter(d -> d.name().startsWith("dev.raft."))
            .sorted(Comparator.comparing(ModuleDescriptor::name))
            .forEach(d -> out.println("  " + d.name()
                + "\n      exports  " + d.exports().stream().map(ModuleDescriptor.Exports::source).sorted()
                    .collect(Collectors.joining(", "))
                + "\n      requires " + d.requires().stream().map(ModuleDescriptor.Requires::name)
                    .filter(n -> !n.equals("java.base")).sorted().collect(Collectors.joining(", "))));
        out.println();
        out.println("Default configuration of node 1 in a 3-node cluster:");
        final RaftConfig defaults = RaftConfig.builder().nodeId(1).initialMembership(Membership.of(1, 2, 3)).build();
        out.println("  " + defaults);
        out.flush();
    }
}
