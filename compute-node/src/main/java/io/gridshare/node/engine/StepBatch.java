package io.gridshare.node.engine;

/**
 * The rows of one decode step: row {@code i} feeds {@code tokens[i]} at {@code positions[i]} of
 * {@code slots[i]}'s KV cache and, when {@code logits[i]} is not null, receives that position's
 * logits. Rows of one slot (a chunk of a prompt) come in position order; every row of a step reads
 * the keys and values that the earlier rows of the same slot wrote. Reused from step to step: the
 * engine fills it, the backend reads it.
 */
public final class StepBatch {

    final BackendSlot[] slots;
    final int[] tokens;
    final int[] positions;
    final float[][] logits;
    int count;

    public StepBatch(int capacity) {
        slots = new BackendSlot[capacity];
        tokens = new int[capacity];
        positions = new int[capacity];
        logits = new float[capacity][];
    }

    public int count() {
        return count;
    }

    public int capacity() {
        return slots.length;
    }

    public BackendSlot slot(int row) {
        return slots[row];
    }

    public int token(int row) {
        return tokens[row];
    }

    public int position(int row) {
        return positions[row];
    }

    /** Where row {@code row}'s logits go, or null when the step needs none for it. */
    public float[] logits(int row) {
        return logits[row];
    }

    /** Appends a row. */
    public void add(BackendSlot slot, int token, int position, float[] logitsOrNull) {
        slots[count] = slot;
        tokens[count] = token;
        positions[count] = position;
        logits[count] = logitsOrNull;
        count++;
    }

    /** Empties the batch (keeps the arrays). */
    public void clear() {
        for (int i = 0; i < count; i++) {
            slots[i] = null;
            logits[i] = null;
        }
        count = 0;
    }
}
