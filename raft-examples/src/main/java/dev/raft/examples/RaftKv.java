package dev.raft.examples;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code raftkv} command: the entry point of {@code bin/raftkv}. */
@Command(name = "raftkv", mixinStandardHelpOptions = true, version = "raftkv 0.1.0-SNAPSHOT",
    description = "A replicated key-value store on the dev.raft framework.")
public final class RaftKv implements Runnable {
    private static final String LOG_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";
    /** The subcommands, in the order the usage lists them. */
    private static final String[] SUBCOMMANDS = {"demo", "server", "client", "bench", "info", "stat", "log", "admin"};

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** Runs the command line and exits with its exit code. */
    public static void main(String[] args) {
        if (args.length > 0 && (args[0].equals("demo") || args[0].equals("client") || args[0].equals("bench")
            || args[0].equals("admin"))
            && System.getProperty(LOG_LEVEL) == null) {
            // the narration and the client's answers are the output; the framework's INFO logs would drown them
            System.setProperty(LOG_LEVEL, "warn");
        }
        setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
        setIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        System.exit(commandLine(args).execute(args));
    }

    /**
     * Sets the SLF4J simple logger's level (error, warn, info, debug, trace) unless a system property already set it;
     * effective if no logger was created yet.
     */
    static void configureLogging(String level) {
        setIfAbsent(LOG_LEVEL, level);
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /** The picocli command line with every subcommand, for tests. */
    static CommandLine commandLine() {
        return commandLine(new String[0]);
    }

    /**
     * The picocli command line for {@code args}: when the first argument names a subcommand, only that subcommand's
     * model is built (see {@link Subcommands}), and, for {@code client}, only the client command its arguments name.
     */
    static CommandLine commandLine(String[] args) {
        final CommandLine top = new CommandLine(new RaftKv());
        final String only = args.length > 0 ? Subcommands.named(SUBCOMMANDS, args[0]) : null;
        Subcommands.add(top, SUBCOMMANDS, RaftKv::subcommand, only);
        final CommandLine client = top.getSubcommands().get("client");
        if (client != null) {
            ClientCommand.addSubcommands(client, only == null ? null : Subcommands.onlyNamed(ClientCommand.SUBCOMMANDS, args, 1));
        }
        return top.setExecutionExceptionHandler((e, cli, parsed) -> {
            // one line naming what failed; the stack trace only with -Draftkv.trace=true
            cli.getErr().println("raftkv " + cli.getCommandName() + ": "
                + (e.getMessage() != null && !(e instanceof NullPointerException) ? e.getMessage() : e.toString()));
            if (Boolean.getBoolean("raftkv.trace")) {
                e.printStackTrace(cli.getErr());
            }
            cli.getErr().flush();
            return 1;
        });
    }

    private static Object subcommand(String name) {
        return switch (name) {
            case "demo" -> new DemoCommand();
            case "server" -> new ServerCommand();
            case "client" -> new ClientCommand();
            case "bench" -> new BenchCommand();
            case "info" -> new InfoCommand();
            case "stat" -> new StatCommand();
            case "log" -> new LogCommand();
            case "admin" -> new AdminCommand();
            default -> throw new IllegalArgumentException("no subcommand " + name);
        };
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }
}
