package dev.raft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.LogId;
import dev.raft.api.Membership;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.storage.SnapshotSink;
import dev.raft.api.storage.SnapshotStore;
import dev.raft.storage.file.FileStores;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code raftkv log verify} checks the snapshot files too (issue 17: "walk every segment and snapshot"). */
class LogVerifySnapshotTest {
    @TempDir
    Path dir;

    private record Run(int code, String out) {
    }

    private Run verify() {
        final StringWriter out = new StringWriter();
        final CommandLine cli = RaftKv.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(out));
        final int code = cli.execute("log", "verify", "--dir", dir.toString());
        return new Run(code, out.toString());
    }

    private Path snapshot() throws Exception {
        try (SnapshotStore store = FileStores.openSnapshotStore(dir)) {
            final SnapshotSink sink = store.begin(new SnapshotMeta("snap-7", LogId.of(2, 7), Membership.of(1, 2, 3)));
            sink.write(0, ByteBuffer.wrap(new byte[1000]));
            sink.finish().close();
        }
        try (Stream<Path> files = Files.list(dir.resolve(FileStores.SNAPSHOT_DIR))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".snap")).findFirst().orElseThrow();
        }
    }

    @Test
    void aSoundSnapshotIsListedAndACorruptOneExits65NamingFileAndOffset() throws Exception {
        Files.createDirectories(dir.resolve(FileStores.LOG_DIR));
        final Path file = snapshot();
        final Run sound = verify();
        assertEquals(0, sound.code(), sound.out());
        assertTrue(sound.out().contains("snapshot " + file + ": snap-7, entries up to 7 (term 2), 1000 bytes, sound"), sound.out());

        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(raf.length() - 1);
            final int b = raf.read();
            raf.seek(raf.length() - 1);
            raf.write(b ^ 0x10);
        }
        final Run bad = verify();
        assertEquals(65, bad.code(), bad.out());
        assertTrue(bad.out().contains("CORRUPT: current snapshot: corrupt data in " + file + " at byte ")
            && bad.out().contains("fails its CRC") && bad.out().contains("verify: CORRUPT"), bad.out());
    }
}
