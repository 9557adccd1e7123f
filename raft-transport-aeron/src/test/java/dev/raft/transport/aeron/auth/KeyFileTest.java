package dev.raft.transport.aeron.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key files: format, the owner-only mode, one-line errors that name the file and never print a key. */
class KeyFileTest {
    private static final String A = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    private static final String B = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

    @TempDir
    Path dir;

    private Path file(String text, String mode) throws Exception {
        final Path f = dir.resolve("cluster.key");
        Files.writeString(f, text);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    private String refused(Path f) {
        return assertThrows(KeyFileException.class, () -> KeyFile.load(f)).getMessage();
    }

    @Test
    void oneOrTwoKeysWithCommentsAndBlankLines() throws Exception {
        assertEquals(MacKeys.ofHex(A, null), KeyFile.load(file(A + "\n", "rw-------")));
        assertEquals(MacKeys.ofHex(A, B), KeyFile.load(file("# rotation\n\n" + A + "\r\n  " + B + "  \n", "r--------")));
    }

    @Test
    void groupOrOtherAccessIsRefusedNamingTheFileAndItsMode() throws Exception {
        for (String mode : new String[] {"rw-r-----", "rw----r--", "rw-r--r--", "rw--w----", "rw-------x".substring(0, 9).replace("rw-------", "rw------x")}) {
            final Path f = file(A, mode);
            final String message = refused(f);
            assertTrue(message.contains(f.toString()), message);
            assertTrue(message.contains(KeyFile.mode(f)), message);
            assertTrue(message.contains("chmod 600"), message);
        }
        assertTrue(refused(file(A, "rw-r--r--")).contains("0644 (rw-r--r--)"));
    }

    @Test
    void malformedFilesAreRefusedWithoutPrintingTheirContent() throws Exception {
        assertTrue(refused(dir.resolve("missing.key")).contains("does not exist"));
        assertTrue(refused(file("# nothing\n", "rw-------")).contains("holds no key"));
        assertTrue(refused(file(A + "\n" + B + "\n" + A + "\n", "rw-------")).contains("line 3: a third key"));
        final String shortKey = refused(file(A.substring(2), "rw-------"));
        assertTrue(shortKey.contains("line 1: 62 characters"), shortKey);
        final String notHex = refused(file(A.replace('a', 'z'), "rw-------"));
        assertTrue(notHex.contains("line 1: not hexadecimal"), notHex);
        assertFalse(notHex.contains("zz"), "the content is never printed: " + notHex);
        assertTrue(refused(file("#".repeat(KeyFile.MAX_FILE_BYTES + 1), "rw-------")).contains("larger than"));
    }

    @Test
    void writeIsAtomicAndOwnerOnly() throws Exception {
        final Path f = dir.resolve("written.key");
        final MacKeys keys = MacKeys.of(KeyFile.randomKey(), KeyFile.randomKey());
        KeyFile.write(f, keys);
        assertEquals("0600 (rw-------)", KeyFile.mode(f));
        assertEquals(keys, KeyFile.load(f));
        KeyFile.write(f, MacKeys.of(HexFormat.of().parseHex(B)));
        assertEquals(MacKeys.ofHex(B, null), KeyFile.load(f));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left");
        }
    }
}
