package io.gridshare.node.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CudaDeviceDiscoveryTest {

    private final List<LogRecord> records = new ArrayList<>();
    private final Logger julLogger = Logger.getLogger(CudaDeviceDiscovery.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (records) {
                records.add(record);
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void captureLog() {
        julLogger.addHandler(capture);
    }

    @AfterEach
    void releaseLog() {
        julLogger.removeHandler(capture);
    }

    @Test
    @DisplayName("without a CUDA driver, discovery returns no device and logs one line with the reason, every time")
    void withoutDriverReturnsNothingAndLogsOneLine() {
        CudaDriverLibrary.Availability availability = CudaDriverLibrary.availability();
        assumeFalse(availability.available(), "the CUDA driver is present on this host; see the GPU test instead");

        List<GpuDevice> first = new CudaDeviceDiscovery().discover();
        assertThat(first).isEmpty();
        assertThat(records).hasSize(1);
        assertThat(records.getFirst().getMessage()).startsWith("No GPU: ").doesNotContain("\n");

        // the second load attempt of JCudaDriver would be a bare NoClassDefFoundError: the first reason must stick
        List<GpuDevice> second = new CudaDeviceDiscovery().discover();
        assertThat(second).isEmpty();
        assertThat(records).hasSize(2);
        assertThat(records.get(1).getMessage()).isEqualTo(records.getFirst().getMessage());
    }

    @Test
    @DisplayName("without a CUDA driver, the reason names the missing driver library")
    void reasonNamesTheDriverLibrary() {
        CudaDriverLibrary.Availability availability = CudaDriverLibrary.availability();
        assumeFalse(availability.available(), "the CUDA driver is present on this host; see the GPU test instead");

        assertThat(availability.reason()).contains("libcuda");
    }

    @Test
    @DisplayName("with a CUDA driver and a GPU, discovery reports name, memory, UUID and compute capability of each")
    void withGpuReportsDevices() {
        CudaDriverLibrary.Availability availability = CudaDriverLibrary.availability();
        assumeTrue(availability.available(), "no CUDA driver on this host: " + availability.reason());

        List<GpuDevice> devices = new CudaDeviceDiscovery().discover();

        assertThat(devices).isNotEmpty();
        for (GpuDevice device : devices) {
            assertThat(device.name()).isNotBlank();
            assertThat(device.totalMemoryBytes()).isPositive();
            assertThat(device.freeMemoryBytes()).isPositive().isLessThanOrEqualTo(device.totalMemoryBytes());
            assertThat(device.uuid()).matches("GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
            assertThat(device.computeCapabilityMajor()).isGreaterThanOrEqualTo(3);
        }
        System.out.println("GPU devices: " + devices);
    }

    @Test
    @DisplayName("UUIDs are printed the way nvidia-smi prints them")
    void uuidFormat() {
        byte[] bytes = new byte[16];
        for (int i = 0; i < 16; i++) {
            bytes[i] = (byte) (0xf0 + i);
        }
        assertThat(CudaDeviceDiscovery.formatUuid(bytes)).isEqualTo("GPU-f0f1f2f3-f4f5-f6f7-f8f9-fafbfcfdfeff");
    }
}
