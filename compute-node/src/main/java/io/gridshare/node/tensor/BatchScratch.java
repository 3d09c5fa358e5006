package io.gridshare.node.tensor;

/**
 * Per-thread accumulators of the batched kernels: one vector's worth of floats or ints per
 * activation row, and one float per row. The kernels loop over the activation rows inside a
 * block instead of writing one set of vector variables per row, because C2 stops inlining
 * Vector API calls in a method past a node budget and then boxes every vector; accumulators
 * parked in arrays cost an L1 load and store, and storing a float vector and loading it back is
 * exact, so each row's arithmetic (and its bits) stay those of the one-row kernel.
 */
final class BatchScratch {

    private static final ThreadLocal<BatchScratch> SCRATCH = ThreadLocal.withInitial(BatchScratch::new);

    float[] acc = new float[0];
    int[] ints = new int[0];
    float[] mins = new float[0];
    float[] row = new float[0];

    private BatchScratch() {}

    /** This thread's scratch with room for {@code batch} rows and a decoded weight row of {@code cols}. */
    static BatchScratch of(int batch, int cols) {
        BatchScratch s = SCRATCH.get();
        int vectors = batch * Lanes.LANES;
        if (s.acc.length < vectors) {
            s.acc = new float[vectors];
            s.ints = new int[vectors];
            s.mins = new float[batch];
        }
        if (s.row.length < cols) {
            s.row = new float[cols];
        }
        return s;
    }
}
