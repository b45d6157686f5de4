package io.finwatch.collector.kernel;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs code on a throwaway thread whose effective capabilities are all (or all but a few) dropped, so that root
 * is refused what an unprivileged collector would be refused (another user's /proc/<pid>/ns, fd dirs).
 * capset(2) changes only the calling thread; the thread is discarded afterwards.
 */
final class ThreadCaps {
    private ThreadCaps() {
    }

    private interface Caps extends Library {
        int capget(Pointer header, Pointer data) throws LastErrorException;

        int capset(Pointer header, Pointer data) throws LastErrorException;
    }

    private static final int LINUX_CAPABILITY_VERSION_3 = 0x20080522;
    /** Reads /proc/&lt;pid&gt;/ns and fd links of processes we are not allowed to ptrace. */
    static final int CAP_SYS_PTRACE = 19;

    static <T> T withoutCapabilities(Callable<T> work) throws Exception {
        return withOnly(work);
    }

    /** Runs {@code work} with only the given capabilities effective (each must be permitted to this process). */
    static <T> T withOnly(Callable<T> work, int... keep) throws Exception {
        int low = 0;
        int high = 0;
        for (int cap : keep) {
            if (cap < 32) {
                low |= 1 << cap;
            } else {
                high |= 1 << (cap - 32);
            }
        }
        int effectiveLow = low;
        int effectiveHigh = high;
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            Future<T> result = thread.submit(() -> {
                Caps caps = Native.load("c", Caps.class);
                Memory header = new Memory(8);
                header.setInt(0, LINUX_CAPABILITY_VERSION_3);
                header.setInt(4, 0);
                // Two {effective, permitted, inheritable} triples of 32 bits: capabilities 0-31, 32-63.
                Memory data = new Memory(24);
                caps.capget(header, data);
                data.setInt(0, effectiveLow);
                data.setInt(12, effectiveHigh);
                caps.capset(header, data);
                return work.call();
            });
            return result.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        } finally {
            thread.shutdownNow();
        }
    }
}
