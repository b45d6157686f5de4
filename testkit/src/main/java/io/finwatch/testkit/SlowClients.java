package io.finwatch.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Real loopback connections that each send the start of an HTTP request and never finish it: a slowloris. Each
 * {@link #trickle()} sends one more header byte on every connection still open, so an idle timeout alone never
 * closes them; {@link #open()} tells how many the server has not closed yet.
 */
public final class SlowClients implements AutoCloseable {

    private final Selector selector;
    private final List<SocketChannel> open = new ArrayList<>();
    private final ByteBuffer drain = ByteBuffer.allocate(4096);

    private SlowClients(Selector selector) {
        this.selector = selector;
    }

    /** Connects {@code count} clients to {@code host:port}, each sending {@code requestStart} (no blank line after it). */
    public static SlowClients connect(String host, int port, int count, String requestStart) throws IOException {
        SlowClients c = new SlowClients(Selector.open());
        try {
            byte[] start = requestStart.getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < count; i++) {
                SocketChannel ch = SocketChannel.open(new InetSocketAddress(host, port));
                ch.write(ByteBuffer.wrap(start));
                ch.configureBlocking(false);
                ch.register(c.selector, SelectionKey.OP_READ);
                c.open.add(ch);
            }
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Sends one more byte of a header line on every connection still open; returns how many are still open. */
    public synchronized int trickle() throws IOException {
        reap();
        for (Iterator<SocketChannel> it = open.iterator(); it.hasNext(); ) {
            SocketChannel ch = it.next();
            try {
                ch.write(ByteBuffer.wrap(new byte[] {'x'}));
            } catch (IOException closedByServer) {
                ch.close();
                it.remove();
            }
        }
        return open.size();
    }

    /** How many connections the server has not closed yet. */
    public synchronized int open() throws IOException {
        reap();
        return open.size();
    }

    /** Drops the connections whose server side has closed (end of stream or reset). */
    private void reap() throws IOException {
        selector.selectNow();
        for (SelectionKey k : selector.selectedKeys()) {
            SocketChannel ch = (SocketChannel) k.channel();
            boolean closed;
            try {
                drain.clear();
                closed = ch.read(drain) < 0;
            } catch (IOException reset) {
                closed = true;
            }
            if (closed) {
                k.cancel();
                ch.close();
                open.remove(ch);
            }
        }
        selector.selectedKeys().clear();
    }

    @Override
    public synchronized void close() throws IOException {
        for (SocketChannel ch : open) {
            ch.close();
        }
        open.clear();
        selector.close();
    }
}
