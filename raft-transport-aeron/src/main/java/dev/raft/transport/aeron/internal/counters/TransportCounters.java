package dev.raft.transport.aeron.internal.counters;

import io.aeron.Aeron;
import io.aeron.Counter;
import java.util.ArrayList;
import java.util.List;
import org.agrona.CloseHelper;

/**
 * The transport's counters, allocated in the media driver's counters file (so {@code AeronStat} and any
 * {@code CountersReader} show them) with type id {@link #TYPE_ID} and labels
 * {@code "raft-transport cluster=C node=N <name>"}. Written only by the node's thread; read by anyone.
 */
public final class TransportCounters implements AutoCloseable {
    /** The counter type id of every transport counter. */
    public static final int TYPE_ID = 7301;

    private final List<Counter> all = new ArrayList<>();
    private final Counter framesIn;
    private final Counter bytesIn;
    private final Counter messagesDelivered;
    private final Counter framesOut;
    private final Counter bytesOut;
    private final Counter backPressureEvents;
    private final Counter sourceMismatches;
    private final Counter keyReloads;
    private final Counter keyReloadFailures;
    private final Counter[] receiveDrops;
    private final Counter[] sendDrops;

    /** Allocates every counter through {@code aeron}. */
    public TransportCounters(Aeron aeron, int clusterId, int nodeId) {
        final String prefix = labelPrefix(clusterId, nodeId);
        framesIn = add(aeron, prefix + "frames-in");
        bytesIn = add(aeron, prefix + "bytes-in");
        messagesDelivered = add(aeron, prefix + "messages-delivered");
        framesOut = add(aeron, prefix + "frames-out");
        bytesOut = add(aeron, prefix + "bytes-out");
        backPressureEvents = add(aeron, prefix + "back-pressure-events");
        sourceMismatches = add(aeron, prefix + "source-mismatches");
        keyReloads = add(aeron, prefix + "key-reloads");
        keyReloadFailures = add(aeron, prefix + "key-reload-failures");
        final ReceiveDrop[] receive = ReceiveDrop.values();
        receiveDrops = new Counter[receive.length];
        for (ReceiveDrop reason : receive) {
            receiveDrops[reason.ordinal()] = add(aeron, prefix + "receive-drop " + reason.label());
        }
        final SendDrop[] send = SendDrop.values();
        sendDrops = new Counter[send.length];
        for (SendDrop reason : send) {
            sendDrops[reason.ordinal()] = add(aeron, prefix + "send-drop " + reason.label());
        }
    }

    /** The label prefix of one node's counters. */
    public static String labelPrefix(int clusterId, int nodeId) {
        return "raft-transport cluster=" + clusterId + " node=" + nodeId + " ";
    }

    private Counter add(Aeron aeron, String label) {
        final Counter counter = aeron.addCounter(TYPE_ID, label);
        all.add(counter);
        return counter;
    }

    /** A frame (a whole, reassembled message) of {@code length} bytes arrived. */
    public void onFrameIn(int length) {
        framesIn.incrementRelease();
        bytesIn.getAndAddRelease(length);
    }

    /** A received message was delivered to the handler. */
    public void onDelivered() {
        messagesDelivered.incrementRelease();
    }

    /** A frame of {@code length} bytes was handed to the network. */
    public void onFrameOut(int length) {
        framesOut.incrementRelease();
        bytesOut.getAndAddRelease(length);
    }

    /** A publication answered back-pressured, not connected or admin action (each attempt counts). */
    public void onBackPressure() {
        backPressureEvents.incrementRelease();
    }

    /** A frame came from an address that is not its claimed sender's (delivered or not, per the source check). */
    public void onSourceMismatch() {
        sourceMismatches.incrementRelease();
    }

    /** New keys were loaded from the changed key file. */
    public void onKeyReload() {
        keyReloads.incrementRelease();
    }

    /** The key file changed but could not be loaded; the keys in use were kept. */
    public void onKeyReloadFailure() {
        keyReloadFailures.incrementRelease();
    }

    /** A received frame was dropped. */
    public void onDrop(ReceiveDrop reason) {
        receiveDrops[reason.ordinal()].incrementRelease();
    }

    /** A message to send was dropped. */
    public void onDrop(SendDrop reason) {
        sendDrops[reason.ordinal()].incrementRelease();
    }

    /** Frames received. */
    public long framesIn() {
        return framesIn.get();
    }

    /** Bytes received. */
    public long bytesIn() {
        return bytesIn.get();
    }

    /** Messages delivered. */
    public long messagesDelivered() {
        return messagesDelivered.get();
    }

    /** Frames sent. */
    public long framesOut() {
        return framesOut.get();
    }

    /** Bytes sent. */
    public long bytesOut() {
        return bytesOut.get();
    }

    /** Back-pressure events. */
    public long backPressureEvents() {
        return backPressureEvents.get();
    }

    /** Frames whose source address was not their claimed sender's host. */
    public long sourceMismatches() {
        return sourceMismatches.get();
    }

    /** Key files loaded after a change. */
    public long keyReloads() {
        return keyReloads.get();
    }

    /** Changed key files that could not be loaded. */
    public long keyReloadFailures() {
        return keyReloadFailures.get();
    }

    /** Received frames dropped for {@code reason}. */
    public long drops(ReceiveDrop reason) {
        return receiveDrops[reason.ordinal()].get();
    }

    /** Messages to send dropped for {@code reason}. */
    public long drops(SendDrop reason) {
        return sendDrops[reason.ordinal()].get();
    }

    /** Received frames dropped for any reason. */
    public long totalReceiveDrops() {
        long sum = 0;
        for (Counter counter : receiveDrops) {
            sum += counter.get();
        }
        return sum;
    }

    /** Frees the counters in the driver. Idempotent. */
    @Override
    public void close() {
        CloseHelper.closeAll(all);
    }
}
