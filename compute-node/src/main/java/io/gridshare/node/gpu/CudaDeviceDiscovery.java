package io.gridshare.node.gpu;

import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR;
import static jcuda.driver.JCudaDriver.cuCtxPopCurrent;
import static jcuda.driver.JCudaDriver.cuCtxPushCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDeviceGetUuid;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;

import java.util.ArrayList;
import java.util.List;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUuuid;

/**
 * Discovers NVIDIA GPUs through the CUDA driver API (JCuda). On a host without the driver it
 * returns no devices and logs one line saying why; it never throws.
 */
public final class CudaDeviceDiscovery implements DeviceDiscovery {

    private static final System.Logger LOG = System.getLogger(CudaDeviceDiscovery.class.getName());

    @Override
    public List<GpuDevice> discover() {
        CudaDriverLibrary.Availability availability = CudaDriverLibrary.availability();
        if (!availability.available()) {
            LOG.log(System.Logger.Level.INFO, "No GPU: " + availability.reason());
            return List.of();
        }
        try {
            List<GpuDevice> devices = queryDevices();
            if (devices.isEmpty()) {
                LOG.log(System.Logger.Level.INFO, "No GPU: the CUDA driver reports no device");
            }
            return devices;
        } catch (RuntimeException | LinkageError e) {
            LOG.log(System.Logger.Level.WARNING, "No GPU: querying CUDA devices failed ("
                    + CudaDriverLibrary.oneLine(e) + ")");
            return List.of();
        }
    }

    private static List<GpuDevice> queryDevices() {
        int[] count = new int[1];
        cuDeviceGetCount(count);
        List<GpuDevice> devices = new ArrayList<>(count[0]);
        for (int ordinal = 0; ordinal < count[0]; ordinal++) {
            devices.add(query(ordinal));
        }
        return List.copyOf(devices);
    }

    private static GpuDevice query(int ordinal) {
        CUdevice device = new CUdevice();
        cuDeviceGet(device, ordinal);
        byte[] nameBytes = new byte[256];
        cuDeviceGetName(nameBytes, nameBytes.length, device);
        long[] total = new long[1];
        cuDeviceTotalMem(total, device);
        int[] major = new int[1];
        int[] minor = new int[1];
        cuDeviceGetAttribute(major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device);
        cuDeviceGetAttribute(minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device);
        CUuuid uuid = new CUuuid();
        cuDeviceGetUuid(uuid, device);
        return new GpuDevice(ordinal, cString(nameBytes), total[0], freeMemory(device), formatUuid(uuid.bytes),
                major[0], minor[0]);
    }

    /** Free memory needs a context; the primary context is shared with the engine, so it is not torn down. */
    private static long freeMemory(CUdevice device) {
        CUcontext context = new CUcontext();
        cuDevicePrimaryCtxRetain(context, device);
        try {
            cuCtxPushCurrent(context);
            try {
                long[] free = new long[1];
                long[] total = new long[1];
                cuMemGetInfo(free, total);
                return free[0];
            } finally {
                cuCtxPopCurrent(new CUcontext());
            }
        } finally {
            cuDevicePrimaryCtxRelease(device);
        }
    }

    static String cString(byte[] bytes) {
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, java.nio.charset.StandardCharsets.UTF_8).trim();
    }

    /** The form nvidia-smi prints: {@code GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}. */
    static String formatUuid(byte[] bytes) {
        StringBuilder hex = new StringBuilder("GPU-");
        for (int i = 0; i < bytes.length; i++) {
            if (i == 4 || i == 6 || i == 8 || i == 10) {
                hex.append('-');
            }
            hex.append(String.format("%02x", bytes[i] & 0xff));
        }
        return hex.toString();
    }
}
