package io.gridshare.node.engine.cuda;

import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;

import io.gridshare.node.tensor.GgmlType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jcuda.CudaException;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;

/**
 * The engine's kernels ({@code llama.ptx}, built from {@code src/main/cuda/llama.cu}) loaded into
 * the current context; the driver JIT-compiles the PTX for the device.
 *
 * <p>nvcc 13 stamps its PTX with ISA version 9.0, which drivers older than CUDA 13 reject although
 * the kernels use nothing newer than ISA 6.x. When the driver refuses the version, the module is
 * loaded again with the version lowered to {@value #FALLBACK_PTX_VERSION} (checked with ptxas for
 * sm_75, sm_80 and sm_90 by {@code PtxIsCurrentTest}).
 */
final class KernelModule implements AutoCloseable {

    static final String RESOURCE = "llama.ptx";
    static final String FALLBACK_PTX_VERSION = "7.0";
    private static final Pattern VERSION_LINE = Pattern.compile("(?m)^\\.version \\d+\\.\\d+$");
    private static final System.Logger LOG = System.getLogger(KernelModule.class.getName());

    private final CUmodule module = new CUmodule();
    final CUfunction embed, rmsnorm, matvec, matvecAdd, qkvMatvec, ropeStore, attention, swigluMatvec, swiglu,
            residualAdd;
    /** Kernels for weights in any {@link #SUPPORTED} layout ({@code gguf.cu}). */
    final CUfunction embedAny, biasAdd, swigluRows, ropeStoreExt;
    private final Map<GgmlType, CUfunction> matvecs = new EnumMap<>(GgmlType.class);
    private final Map<GgmlType, CUfunction> batchedMatvecs = new EnumMap<>(GgmlType.class);

    /** Weight layouts with a matrix-vector kernel, and the kernel name stem of each. */
    static final Map<GgmlType, String> SUPPORTED = supported();

    private static Map<GgmlType, String> supported() {
        Map<GgmlType, String> names = new EnumMap<>(GgmlType.class);
        names.put(GgmlType.F32, "matvec_f32");
        names.put(GgmlType.F16, "matvec_f16");
        names.put(GgmlType.Q8_0, "matvec_q8_0");
        names.put(GgmlType.Q4_K, "matvec_q4_k");
        return Collections.unmodifiableMap(names);
    }

    KernelModule() {
        String ptx = ptxSource();
        try {
            cuModuleLoadData(module, nulTerminated(ptx));
        } catch (CudaException e) {
            if (!isPtxVersionRejection(e)) {
                throw e;
            }
            int[] driver = new int[1];
            cuDriverGetVersion(driver);
            LOG.log(System.Logger.Level.INFO, "CUDA driver " + driver[0] / 1000 + "." + (driver[0] % 1000) / 10
                    + " rejects the PTX ISA version of " + RESOURCE + " (" + e.getMessage() + "); loading it as ISA "
                    + FALLBACK_PTX_VERSION);
            cuModuleLoadData(module, nulTerminated(withPtxVersion(ptx, FALLBACK_PTX_VERSION)));
        }
        embed = function("embed");
        rmsnorm = function("rmsnorm");
        matvec = function("matvec");
        matvecAdd = function("matvec_add");
        qkvMatvec = function("qkv_matvec");
        ropeStore = function("rope_store");
        attention = function("attention");
        swigluMatvec = function("swiglu_matvec");
        swiglu = function("swiglu");
        residualAdd = function("residual_add");
        embedAny = function("embed_any");
        biasAdd = function("bias_add");
        swigluRows = function("swiglu_rows");
        ropeStoreExt = function("rope_store_ext");
        for (Map.Entry<GgmlType, String> e : SUPPORTED.entrySet()) {
            matvecs.put(e.getKey(), function(e.getValue()));
            batchedMatvecs.put(e.getKey(), function(e.getValue() + "_batched"));
        }
    }

    /**
     * The product kernel for weights of {@code type}: the plain one (batch row = grid y) or the
     * batched one (batch size read from device memory, each weight read once per step).
     *
     * @throws IllegalArgumentException for a type outside {@link #SUPPORTED}
     */
    CUfunction matvec(GgmlType type, boolean batched) {
        CUfunction f = (batched ? batchedMatvecs : matvecs).get(type);
        if (f == null) {
            throw new IllegalArgumentException("no CUDA matrix-vector kernel for " + type + "; supported: "
                    + SUPPORTED.keySet());
        }
        return f;
    }

    /** The committed PTX text from the classpath. */
    static String ptxSource() {
        try (InputStream in = KernelModule.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath next to "
                        + KernelModule.class.getName() + "; run compute-node/scripts/build-ptx.sh and rebuild");
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    static String withPtxVersion(String ptx, String version) {
        Matcher m = VERSION_LINE.matcher(ptx);
        if (!m.find()) {
            throw new IllegalStateException(RESOURCE + " has no .version line");
        }
        return m.replaceFirst(".version " + version);
    }

    private static boolean isPtxVersionRejection(CudaException e) {
        String message = String.valueOf(e.getMessage());
        return message.contains("CUDA_ERROR_UNSUPPORTED_PTX_VERSION") || message.contains("CUDA_ERROR_INVALID_PTX");
    }

    private static byte[] nulTerminated(String ptx) {
        byte[] text = ptx.getBytes(StandardCharsets.US_ASCII);
        byte[] data = new byte[text.length + 1];
        System.arraycopy(text, 0, data, 0, text.length);
        return data;
    }

    private CUfunction function(String name) {
        CUfunction f = new CUfunction();
        cuModuleGetFunction(f, module, name);
        return f;
    }

    @Override
    public void close() {
        cuModuleUnload(module);
    }
}
