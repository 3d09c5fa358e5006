package io.gridshare.node.gpu;

import jcuda.driver.JCudaDriver;

/**
 * Loads the JCuda driver binding once per process and remembers whether that worked.
 *
 * <p>Loading {@link JCudaDriver} extracts JCuda's JNI library from the {@code jcuda-natives} jar and
 * links it against the system's {@code libcuda.so.1}. On a host without the NVIDIA driver the first
 * attempt throws {@link UnsatisfiedLinkError}; every later touch of the class throws
 * {@link NoClassDefFoundError} with no useful message. So the first outcome is cached here and
 * callers ask {@link #availability()} instead of touching JCuda directly.
 */
public final class CudaDriverLibrary {

    /**
     * Whether the CUDA driver API can be used in this process.
     *
     * @param available true when JCuda's driver binding loaded and {@code cuInit} succeeded
     * @param reason why it is not available (empty when available)
     */
    public record Availability(boolean available, String reason) {}

    private CudaDriverLibrary() {}

    /** The cached outcome of loading JCuda and calling {@code cuInit(0)}; never throws. */
    public static Availability availability() {
        return Holder.AVAILABILITY;
    }

    private static final class Holder {
        static final Availability AVAILABILITY = load();

        private static Availability load() {
            try {
                JCudaDriver.setExceptionsEnabled(true);
                JCudaDriver.cuInit(0);
                return new Availability(true, "");
            } catch (UnsatisfiedLinkError e) {
                return new Availability(false, "the CUDA driver library could not be loaded ("
                        + oneLine(e) + "); install the NVIDIA driver (libcuda.so.1) to use a GPU");
            } catch (NoClassDefFoundError e) {
                // first touch in this process, so not a failed earlier load: the jcuda jar is missing
                return new Availability(false, "JCuda is not on the classpath (" + oneLine(e)
                        + "); add org.jcuda:jcuda and its natives jar to use a GPU");
            } catch (RuntimeException e) {
                // CudaException from cuInit: a driver without a usable device, or a driver older than JCuda needs
                return new Availability(false, "cuInit failed (" + oneLine(e) + ")");
            } catch (LinkageError e) {
                return new Availability(false, "JCuda could not be linked (" + oneLine(e) + ")");
            }
        }
    }

    /**
     * A short one-line reason. JCuda's {@link UnsatisfiedLinkError} message embeds whole nested stack
     * traces; the useful part is the last linker message, e.g. {@code libcuda.so.1: cannot open
     * shared object file: No such file or directory}.
     */
    static String oneLine(Throwable e) {
        String message = String.valueOf(e.getMessage()).replaceAll("\\s+", " ");
        String marker = "UnsatisfiedLinkError: ";
        int last = message.lastIndexOf(marker);
        if (last >= 0 && message.indexOf(marker) != last) {
            String inner = message.substring(last + marker.length());
            int frame = inner.indexOf(" at ");
            message = frame > 0 ? inner.substring(0, frame) : inner;
        }
        message = e.getClass().getSimpleName() + ": " + message.trim();
        return message.length() > 300 ? message.substring(0, 300) + "..." : message;
    }
}
