package dev.raft.testkit.linearizability;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A map from string keys to string values with get, put, delete and compare-and-set, partitioned
 * per key: every key is an independent register, so the state of a partition is the value of its
 * key ({@code null} when absent).
 */
public final class KvModel implements Model<String, KvInput, KvOutput> {

    /** Creates the model; every key starts absent. */
    public KvModel() {
    }

    @Override
    public String initialState() {
        return null;
    }

    @Override
    public StepResult<String> step(String state, KvInput input, KvOutput output) {
        return stepValue(state, input, output);
    }

    @Override
    public List<List<Operation<KvInput, KvOutput>>> partition(List<Operation<KvInput, KvOutput>> operations) {
        Map<String, List<Operation<KvInput, KvOutput>>> byKey = new LinkedHashMap<>();
        for (Operation<KvInput, KvOutput> op : operations) {
            byKey.computeIfAbsent(op.input().key(), k -> new ArrayList<>()).add(op);
        }
        return List.copyOf(byKey.values());
    }

    @Override
    public boolean isReadOnly(KvInput input) {
        return input.kind() == KvInput.Kind.GET;
    }

    @Override
    public String describe(KvInput input, KvOutput output) {
        return describe(input, output, true);
    }

    /** The semantics of one value (one key of the map, or a register); output null = unknown. */
    static StepResult<String> stepValue(String state, KvInput input, KvOutput output) {
        switch (input.kind()) {
            case GET:
                return output == null || Objects.equals(state, output.value())
                        ? StepResult.legal(state) : StepResult.illegal();
            case PUT:
                return StepResult.legal(input.value());
            case DELETE:
                return StepResult.legal(null);
            case CAS:
                boolean matches = Objects.equals(state, input.expected());
                if (output != null && output.swapped() != matches) {
                    return StepResult.illegal();
                }
                return StepResult.legal(matches ? input.value() : state);
            default:
                throw new IllegalArgumentException("kv model: unknown operation kind " + input.kind());
        }
    }

    static String describe(KvInput input, KvOutput output, boolean withKey) {
        String key = input.key();
        String call = switch (input.kind()) {
            case GET -> withKey ? "get(" + key + ")" : "read()";
            case PUT -> withKey ? "put(" + key + ", " + input.value() + ")" : "write(" + input.value() + ")";
            case DELETE -> withKey ? "delete(" + key + ")" : "clear()";
            case CAS -> "cas(" + (withKey ? key + ", " : "") + show(input.expected()) + " -> " + input.value() + ")";
        };
        String answer;
        if (output == null) {
            answer = "?";
        } else {
            answer = switch (input.kind()) {
                case GET -> show(output.value());
                case PUT, DELETE -> "ok";
                case CAS -> output.swapped() ? "swapped" : "not swapped";
            };
        }
        return call + " -> " + answer;
    }

    private static String show(String value) {
        return value == null ? "absent" : value;
    }
}
