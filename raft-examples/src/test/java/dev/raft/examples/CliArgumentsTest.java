package dev.raft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CliArgumentsTest {
    /** Runs the raftkv command line in this JVM; returns stdout and stderr. */
    static String[] run(int expectedCode, String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine cli = RaftKv.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        final int code = cli.execute(args);
        assertEquals(expectedCode, code, out + "\n" + err);
        return new String[] {out.toString(), err.toString()};
    }

    @Test
    void badPeersPrintTheReasonAndTheUsage() {
        final String err = run(2, "server", "--id", "1", "--peers", "1=127.0.0.1", "--dir", "x")[1];
        assertTrue(err.contains("Invalid value for option '--peers': '1=127.0.0.1': expected id=host:port"), err);
        assertTrue(err.contains("Usage: raftkv server"), err);
    }

    @Test
    void anIdOutsideThePeersIsRefused() {
        final String err = run(2, "server", "--id", "4", "--peers", "1=127.0.0.1:9000,2=127.0.0.1:9002", "--dir", "x")[1];
        assertTrue(err.contains("--id 4 is not one of the --peers ids [1, 2]"), err);
    }

    @Test
    void aPortWithoutRoomForTheClientPortIsRefused() {
        final String err = run(2, "client", "--cluster", "1=h:65535", "status")[1];
        assertTrue(err.contains("the port must be in [1, 65534]"), err);
    }

    @Test
    void aDuplicateNodeIsRefused() {
        final String err = run(2, "client", "--cluster", "1=h:9000,1=h:9002", "status")[1];
        assertTrue(err.contains("node 1 is listed twice"), err);
    }

    @Test
    void clientWithoutCommandOrMissingArgumentIsAUsageError() {
        assertTrue(run(2, "client", "--cluster", "1=h:9000")[1].contains("a client command is required"));
        assertTrue(run(2, "client", "--cluster", "1=h:9000", "put", "k")[1].contains("Missing required parameter"));
    }

    /** Runs {@code args} on the command line {@link RaftKv#main} builds for them; returns exit code, stdout, stderr. */
    private static String[] runAsMain(String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = RaftKv.commandLine(args).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
            .execute(args);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    @Test
    void aClientCallBuildsOnlyTheModelOfItsCommand() {
        final CommandLine cli = RaftKv.commandLine(new String[] {"client", "--cluster", "1=h:9000", "put", "k", "v"});
        assertEquals(java.util.Set.of("client"), cli.getSubcommands().keySet());
        assertEquals(java.util.Set.of("put"), cli.getSubcommands().get("client").getSubcommands().keySet());
        assertEquals(8, RaftKv.commandLine(new String[] {"--help"}).getSubcommands().size());
        assertEquals(7, RaftKv.commandLine(new String[] {"client", "--cluster", "1=h:9000"}).getSubcommands().get("client")
            .getSubcommands().size(), "no client command named: all of them, for the usage");
        assertEquals(7, RaftKv.commandLine(new String[] {"client", "get", "put"}).getSubcommands().get("client")
            .getSubcommands().size(), "two named: all of them");
    }

    @Test
    void theLazyModelAnswersAsTheFullOne() {
        final String[][] cases = {
            {"client", "--cluster", "1=h:9000", "put", "k"},
            {"client", "--cluster", "1=h:9000"},
            {"client", "--cluster", "1=h:9000", "get", "--help"},
            {"client", "--cluster", "1=h:9000", "status", "--jsn"},
            {"client", "--cluster", "1=h:9000", "incr", "k", "x"},
            {"client", "--help"},
            {"client", "--cluster", "1=h:65535", "health"},
            {"server", "--id", "1", "--peers", "1=127.0.0.1", "--dir", "x"},
            {"clinet", "--cluster", "1=h:9000", "put", "k", "v"},
            {"--help"},
        };
        for (String[] args : cases) {
            final String[] lazy = runAsMain(args);
            final StringWriter out = new StringWriter();
            final StringWriter err = new StringWriter();
            final int code = RaftKv.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute(args);
            final String what = String.join(" ", args);
            assertEquals(Integer.toString(code), lazy[0], what);
            assertEquals(out.toString(), lazy[1], what);
            assertEquals(err.toString(), lazy[2], what);
        }
    }
}
