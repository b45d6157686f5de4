package io.finwatch.collector.kernel;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * The few libc calls needed to enter another network namespace and to talk netlink there. Errors arrive as
 * {@link LastErrorException}, whose message carries errno and its text.
 */
interface LibC extends Library {
    /** setns(2) nstype: the fd must refer to a network namespace. */
    int CLONE_NEWNET = 0x40000000;
    int O_RDONLY = 0;
    /** The value on x86-64, arm64 and the other architectures using the generic fcntl.h. */
    int O_CLOEXEC = 0x80000;

    int AF_NETLINK = 16;
    int SOCK_DGRAM = 2;
    /** The value on x86-64, arm64 and the other architectures using the generic socket.h. */
    int SOCK_CLOEXEC = O_CLOEXEC;
    int NETLINK_SOCK_DIAG = 4;
    int SOL_SOCKET = 1;
    int SO_RCVBUF = 8;
    /** SO_RCVBUF past net.core.rmem_max; needs CAP_NET_ADMIN. */
    int SO_RCVBUFFORCE = 33;
    int MSG_DONTWAIT = 0x40;
    short POLLIN = 0x1;
    int EAGAIN = 11;
    int EINTR = 4;
    int EPERM = 1;
    /** A netlink socket's receive buffer overflowed: messages were dropped. */
    int ENOBUFS = 105;

    int open(String path, int flags) throws LastErrorException;

    /** The socket belongs to the network namespace of the calling thread, for its whole life. */
    int socket(int domain, int type, int protocol) throws LastErrorException;

    NativeLong send(int fd, byte[] buf, NativeLong len, int flags) throws LastErrorException;

    NativeLong recv(int fd, Pointer buf, NativeLong len, int flags) throws LastErrorException;

    int close(int fd) throws LastErrorException;

    /** Closes a socket being dropped: one that will not close is gone from its owner's books either way. */
    static void closeQuietly(LibC libc, int fd) {
        try {
            libc.close(fd);
        } catch (LastErrorException ignored) {
            // nothing to do about it
        }
    }

    /** {@code addr} is a {@code struct sockaddr_nl} for netlink: family u16, pad u16, pid u32, groups u32. */
    int bind(int fd, byte[] addr, int len) throws LastErrorException;

    int setsockopt(int fd, int level, int name, int[] value, int len) throws LastErrorException;

    /** {@code fds}: {@code struct pollfd} (fd i32, events i16, revents i16) times {@code nfds}. */
    int poll(Pointer fds, NativeLong nfds, int timeoutMs) throws LastErrorException;

    int EFD_CLOEXEC = O_CLOEXEC;
    int EFD_NONBLOCK = 0x800;

    /** A counter a thread blocked in poll(2) can be woken through: written with 8 bytes, read back to zero. */
    int eventfd(int initval, int flags) throws LastErrorException;

    NativeLong write(int fd, byte[] buf, NativeLong len) throws LastErrorException;

    NativeLong read(int fd, byte[] buf, NativeLong len) throws LastErrorException;

    /** Moves the calling thread (only it) into the namespace {@code fd} refers to. */
    int setns(int fd, int nstype) throws LastErrorException;

    /** @throws UnsatisfiedLinkError where there is no libc to bind (not Linux, no JNA native) */
    static LibC load() {
        return Native.load("c", LibC.class);
    }
}
