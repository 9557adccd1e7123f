package dev.raft.examples;

import dev.raft.examples.config.ServerSettings;
import dev.raft.examples.server.Failure;
import java.io.PrintWriter;
import java.lang.module.ModuleDescriptor;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code raftkv info}: prints the framework's module graph and the effective server configuration (every key, its
 * value and where it came from) for the same {@code --config} and flags {@code raftkv server} takes.
 */
@Command(name = "info", mixinStandardHelpOptions = true,
    description = {"Print the framework's JPMS module graph and the effective server configuration:",
        "every setting's key, value and source, for the --config file and flags 'raftkv server' would get."})
final class InfoCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    private ServerCommand.SettingsOptions settingsOptions = new ServerCommand.SettingsOptions();

    @CommandLine.Option(names = "--settings-only", description = "Print only the settings, as a properties file.")
    private boolean settingsOnly;

    private static String effectiveRaftConfig(ServerSettings settings) {
        try {
            final ServerPlan plan = ServerPlan.of(settings);
            return settings.raftConfig(plan.options().nodeId(), dev.raft.api.Membership.of(
                plan.options().endpoints().keySet().stream().mapToInt(Integer::intValue).toArray())).toString();
        } catch (RuntimeException incomplete) {
            try {
                return settings.raftConfig(1, dev.raft.api.Membership.of(1, 2, 3)).toString();
            } catch (RuntimeException e) {
                return "(invalid: " + e.getMessage() + ")";
            }
        }
    }

    @Override
    public Integer call() {
        final PrintWriter out = spec.commandLine().getOut();
        final ServerSettings settings;
        try {
            settings = settingsOptions.resolve();
        } catch (RuntimeException e) {
            final Failure f = Failure.of(e, null);
            spec.commandLine().getErr().println("raftkv info: " + f.line());
            return f.exitCode().code();
        }
        if (!settingsOnly) {
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
            out.println("Effective RaftConfig (node 1 of members 1, 2, 3 unless node.id and peers are set):");
            out.println("  " + effectiveRaftConfig(settings));
            out.println();
            out.println("Effective server configuration (key = value  # source):");
        }
        for (String key : settings.keys()) {
            out.println(key + " = " + settings.get(key) + "  # " + settings.source(key));
        }
        out.flush();
        return 0;
    }
}
