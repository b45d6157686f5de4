package io.finwatch.collector.procfs;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * The few libc calls needed to enter another network namespace. Errors arrive as
 * {@link LastErrorException}, whose message carries errno and its text.
 */
interface LibC extends Library {
    /** setns(2) nstype: the fd must refer to a network namespace. */
    int CLONE_NEWNET = 0x40000000;
    int O_RDONLY = 0;
    /** The value on x86-64, arm64 and the other architectures using the generic fcntl.h. */
    int O_CLOEXEC = 0x80000;

    int open(String path, int flags) throws LastErrorException;

    int close(int fd) throws LastErrorException;

    /** Moves the calling thread (only it) into the namespace {@code fd} refers to. */
    int setns(int fd, int nstype) throws LastErrorException;

    /** @throws UnsatisfiedLinkError where there is no libc to bind (not Linux, no JNA native) */
    static LibC load() {
        return Native.load("c", LibC.class);
    }
}
