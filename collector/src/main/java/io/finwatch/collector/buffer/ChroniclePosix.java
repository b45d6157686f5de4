package io.finwatch.collector.buffer;

import net.openhft.posix.PosixAPI;

/**
 * Keeps Chronicle from loading its native POSIX binding, which the buffer never calls.
 *
 * <p>Chronicle's {@code Jvm} loads {@code PosixAPI} eagerly when it is first used, through jnr-ffi: jnr-ffi, jffi
 * and its assembler, ~370 classes, a native stub library and a class loader of generated classes (about 3 MB of
 * class metadata and native memory in a daemon whose loaded classes are half its memory; docs/benchmarks.md,
 * "Session 11"). Of what that binding offers, the queue as the buffer uses it calls only {@code msync} with
 * {@code MS_ASYNC} (its default sync mode, {@code ASYNC}), which Linux has not acted on since 2.6.19: dirty pages of
 * a shared mapping are written back by the kernel either way. The no-op binding returns 0 there. Nothing else of
 * it is reached: the micro-toucher and the POSIX time provider are never enabled.
 */
public final class ChroniclePosix {
    private ChroniclePosix() {
    }

    /** Before anything of Chronicle is used; later, once the binding is loaded, it has no effect on memory. */
    public static void skipNativeBinding() {
        PosixAPI.useNoOpPosixApi();
    }
}
