package io.finwatch.collector.kernel;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * The libc calls that open, map and steer a perf event. perf_event_open(2) has no libc wrapper, so it goes through
 * syscall(2). Errors arrive as {@link LastErrorException}, whose message carries errno and its text.
 */
interface PerfLibC extends Library {
    int EPERM = 1;
    int EACCES = 13;
    int EINVAL = 22;

    /** syscall(2) reads each argument as a long: pass longs and pointers only. */
    long syscall(long number, Object... args) throws LastErrorException;

    Pointer mmap(Pointer addr, NativeLong length, int prot, int flags, int fd, NativeLong offset)
            throws LastErrorException;

    int munmap(Pointer addr, NativeLong length) throws LastErrorException;

    /** Variadic so that the argument can be a string (a filter) or a long (flags). */
    int ioctl(int fd, NativeLong request, Object... args) throws LastErrorException;

    int close(int fd) throws LastErrorException;

    /** {@code timespec}: tv_sec and tv_nsec, both 64-bit on the 64-bit architectures the feed runs on. */
    int clock_gettime(int clockId, long[] timespec) throws LastErrorException;

    /** The same value on x86-64 and arm64 (glibc's confname.h). */
    int SC_PAGESIZE = 30;

    NativeLong sysconf(int name) throws LastErrorException;

    /** @throws UnsatisfiedLinkError where there is no libc to bind (not Linux, no JNA native) */
    static PerfLibC load() {
        return Native.load("c", PerfLibC.class);
    }
}
