package dev.raft.examples.metrics;

import io.aeron.CncFileDescriptor;
import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.SemanticVersion;
import org.agrona.concurrent.status.CountersReader;

/**
 * Read-only view of the counters in a media driver's CnC file ({@code <aeron dir>/cnc.dat}), the way Aeron's
 * {@code AeronStat} reads them: the driver's own counters and those the framework allocated in it (the transport's
 * {@code raft-transport ...} and the engine's, if any). Safe to read while the driver runs.
 */
public final class CncCounters implements AutoCloseable {
    /** One counter as read. */
    public record Counter(int id, int typeId, String label, long value) {
    }

    private final MappedByteBuffer cnc;
    private final CountersReader reader;

    private CncCounters(MappedByteBuffer cnc, CountersReader reader) {
        this.cnc = cnc;
        this.reader = reader;
    }

    /**
     * Maps {@code aeronDirectory}'s CnC file.
     *
     * @throws IllegalStateException naming the file when it is missing or of another CnC version
     */
    public static CncCounters open(String aeronDirectory) {
        final File file = new File(aeronDirectory, CncFileDescriptor.CNC_FILE);
        if (!file.isFile()) {
            throw new IllegalStateException("no media driver at " + aeronDirectory + " (" + file + " does not exist):"
                + " pass the server's --aeron-dir");
        }
        final MappedByteBuffer cnc = IoUtil.mapExistingFile(file, "cnc");
        final DirectBuffer meta = CncFileDescriptor.createMetaDataBuffer(cnc);
        final int version = meta.getInt(CncFileDescriptor.cncVersionOffset(0));
        if (version == 0 || SemanticVersion.major(version) != SemanticVersion.major(CncFileDescriptor.CNC_VERSION)) {
            IoUtil.unmap(cnc);
            throw new IllegalStateException(file + " has CnC version " + SemanticVersion.toString(version) + " (expected "
                + SemanticVersion.toString(CncFileDescriptor.CNC_VERSION) + "): not a running driver of this Aeron version");
        }
        final CountersReader reader = new CountersReader(CncFileDescriptor.createCountersMetaDataBuffer(cnc, meta),
            CncFileDescriptor.createCountersValuesBuffer(cnc, meta), StandardCharsets.US_ASCII);
        return new CncCounters(cnc, reader);
    }

    /** Every allocated counter, in id order. */
    public List<Counter> read() {
        final List<Counter> out = new ArrayList<>();
        reader.forEach((value, id, label) -> out.add(new Counter(id, reader.getCounterTypeId(id), label, value)));
        return out;
    }

    @Override
    public void close() {
        IoUtil.unmap(cnc);
    }
}
