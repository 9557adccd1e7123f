package dev.raft.testkit.linearizability;

/**
 * A single read/write/compare-and-set register. Inputs are {@link KvInput}s whose key is ignored;
 * use {@link #read()}, {@link #write(String)} and {@link #cas(String, String)} to build them.
 * Unlike {@link KvModel} the history is not partitioned.
 */
public final class RegisterModel implements Model<String, KvInput, KvOutput> {

    private static final String KEY = "register";

    private final String initialValue;

    /**
     * A register holding {@code initialValue} before the first operation.
     *
     * @param initialValue the initial value, {@code null} for empty
     */
    public RegisterModel(String initialValue) {
        this.initialValue = initialValue;
    }

    /**
     * Reads the register.
     *
     * @return the input
     */
    public static KvInput read() {
        return KvInput.get(KEY);
    }

    /**
     * Writes the register.
     *
     * @param value the value
     * @return the input
     */
    public static KvInput write(String value) {
        return KvInput.put(KEY, value);
    }

    /**
     * Compare-and-set on the register.
     *
     * @param expected the expected value, {@code null} for empty
     * @param value the value to write
     * @return the input
     */
    public static KvInput cas(String expected, String value) {
        return KvInput.cas(KEY, expected, value);
    }

    @Override
    public String initialState() {
        return initialValue;
    }

    @Override
    public StepResult<String> step(String state, KvInput input, KvOutput output) {
        return KvModel.stepValue(state, input, output);
    }

    @Override
    public boolean isReadOnly(KvInput input) {
        return input.kind() == KvInput.Kind.GET;
    }

    @Override
    public String describe(KvInput input, KvOutput output) {
        return KvModel.describe(input, output, false);
    }
}
