package io.gridshare.node.engine.cuda;

import static jcuda.driver.JCudaDriver.cuCtxCreate;
import static jcuda.driver.JCudaDriver.cuCtxDestroy;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gridshare.node.tensor.GgmlType;
import io.gridshare.node.tensor.WeightMatrix;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each matrix-vector kernel agrees with the scalar dequantizer of {@link QuantFixtures} on random
 * matrices in its layout: plain and batched variants, with and without bias and accumulation, for
 * batch sizes on both sides of the batched kernel's register group of 8. Tolerance per output:
 * {@value #RELATIVE} times sum |w x| of its row (float rounding of a reordered sum), plus 1e-6.
 */
class CudaQuantKernelTest {

    private static final double RELATIVE = 2e-6 * 64;
    private static final int WARPS = 8;

    private CUcontext context;
    private KernelModule kernels;
    private final List<CUdeviceptr> allocations = new ArrayList<>();

    @BeforeEach
    void openContext() {
        Optional<String> noGpu = CudaTestModels.noGpuReason();
        assumeTrue(noGpu.isEmpty(), () -> "CUDA kernel agreement skipped: " + noGpu.orElse(""));
        CUdevice device = new CUdevice();
        cuDeviceGet(device, 0);
        context = new CUcontext();
        cuCtxCreate(context, 0, device);
        kernels = new KernelModule();
    }

    @AfterEach
    void closeContext() {
        if (context != null) {
            allocations.forEach(p -> cuMemFree(p));
            kernels.close();
            cuCtxDestroy(context);
        }
    }

    @ParameterizedTest(name = "{0}: {1} x {2}, batch {3}, batched kernel {4}, bias {5}, accumulate {6}")
    @DisplayName("the product kernel of each layout matches the scalar dequantizer")
    @CsvSource({
            "F32, 67, 200, 1, false, false, false",
            "F32, 67, 202, 3, false, true, true",
            "F32, 130, 512, 11, true, true, false",
            "F16, 67, 200, 1, false, false, false",
            "F16, 67, 203, 2, true, false, true",
            "F16, 130, 512, 11, true, true, true",
            "Q8_0, 67, 96, 1, false, false, false",
            "Q8_0, 67, 96, 3, false, true, true",
            "Q8_0, 130, 2048, 9, true, false, false",
            "Q8_0, 33, 4096, 16, true, true, true",
            "Q4_K, 67, 256, 1, false, false, false",
            "Q4_K, 67, 512, 3, false, true, true",
            "Q4_K, 130, 2048, 8, true, false, true",
            "Q4_K, 33, 4096, 17, true, true, false"
    })
    void productMatchesDequantizer(GgmlType type, int rows, int cols, int batch, boolean batched, boolean bias,
                                   boolean accumulate) {
        SplittableRandom random = new SplittableRandom(rows * 31L + cols);
        WeightMatrix w = QuantFixtures.random(type, rows, cols, (float) (1 / Math.sqrt(cols)), random.nextLong());
        float[] x = floats(random, batch * cols, 1f);
        float[] b = bias ? floats(random, rows, 0.5f) : null;
        float[] initial = floats(random, batch * rows, 1f);

        CUdeviceptr dW = alloc(w.data().byteSize());
        cuMemcpyHtoD(dW, Pointer.to(w.data().asByteBuffer()), w.data().byteSize());
        CUdeviceptr dX = upload(x);
        CUdeviceptr dBias = b == null ? new CUdeviceptr() : upload(b);
        CUdeviceptr dOut = upload(initial);
        CUdeviceptr dBatch = alloc(4);
        cuMemcpyHtoD(dBatch, Pointer.to(new int[] {batch}), 4);

        int acc = accumulate ? 1 : 0;
        CUfunction f = kernels.matvec(type, batched);
        Pointer params = batched
                ? params(dOut, dW, dX, dBias, cols, rows, acc, dBatch)
                : params(dOut, dW, dX, dBias, cols, rows, acc);
        cuLaunchKernel(f, (rows + WARPS - 1) / WARPS, batched ? 1 : batch, 1, WARPS * 32, 1, 1, 0, null, params, null);
        cuCtxSynchronize();
        float[] out = new float[batch * rows];
        cuMemcpyDtoH(Pointer.to(out), dOut, 4L * out.length);

        for (int r = 0; r < batch; r++) {
            for (int row = 0; row < rows; row++) {
                double expected = QuantFixtures.dot(w, row, x, r * cols) + (b == null ? 0 : b[row])
                        + (accumulate ? initial[r * rows + row] : 0);
                double tolerance = RELATIVE * QuantFixtures.magnitude(w, row, x, r * cols) + 1e-6;
                assertThat((double) out[r * rows + row]).as("%s row %d of batch row %d", type, row, r)
                        .isCloseTo(expected, org.assertj.core.data.Offset.offset(tolerance));
            }
        }
    }

    private static float[] floats(SplittableRandom random, int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextDouble(-scale, scale);
        }
        return v;
    }

    private CUdeviceptr alloc(long bytes) {
        CUdeviceptr p = new CUdeviceptr();
        cuMemAlloc(p, Math.max(4, bytes));
        allocations.add(p);
        return p;
    }

    private CUdeviceptr upload(float[] values) {
        CUdeviceptr p = alloc(4L * values.length);
        cuMemcpyHtoD(p, Pointer.to(values), 4L * values.length);
        return p;
    }

    private static Pointer params(Object... args) {
        NativePointerObject[] pointers = new NativePointerObject[args.length];
        for (int i = 0; i < args.length; i++) {
            pointers[i] = switch (args[i]) {
                case CUdeviceptr p -> Pointer.to(p);
                case Integer value -> Pointer.to(new int[] {value});
                default -> throw new IllegalArgumentException("unsupported kernel argument " + args[i]);
            };
        }
        return Pointer.to(pointers);
    }
}
