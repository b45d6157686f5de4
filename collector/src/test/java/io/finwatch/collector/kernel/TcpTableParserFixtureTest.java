package io.finwatch.collector.kernel;

import io.finwatch.collector.socket.ParseError;
import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.TcpState;
import io.finwatch.collector.socket.TimerKind;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Parses the hand-built tables under fixtures/procfs-tcp and checks every line against expected.txt, which
 * states each line's meaning in ss terms (addresses, state names, milliseconds). The expected rows are
 * built from that text here, without the parser's hex decoding.
 */
class TcpTableParserFixtureTest {
    private static final long NETNS = 4026531840L;

    private final Procfs procfs = new Procfs(resource("/fixtures/procfs-tcp"));

    @Test
    void tcpTableMatchesItsDocumentedMeaning() throws IOException {
        checkTable("tcp", 4, 27, 19, 7);
    }

    @Test
    void tcp6TableMatchesItsDocumentedMeaning() throws IOException {
        checkTable("tcp6", 6, 13, 10, 2);
    }

    @Test
    void errorsNameTheFileAndLine() throws IOException {
        Path file = procfs.pid(4242, "net", "tcp");
        List<ParseError> errors = parse(file, 4, new ArrayList<>()).errors;

        ParseError badState = errors.get(0);
        assertThat(badState.source()).isEqualTo(file.toString());
        assertThat(badState.message()).isEqualTo(file + ":20: state 0x1F is not a TCP state");
        assertThat(badState.excerpt()).startsWith("  18: 0302010A:01BB 0E7100CB:9C47 1F ");
        ParseError nul = errors.get(3);
        assertThat(nul.excerpt()).endsWith(" 20 \\0...");
        ParseError overlong = errors.get(4);
        assertThat(overlong.excerpt()).hasSize(ParseError.EXCERPT_LIMIT + "...".length()).endsWith("...");
    }

    private void checkTable(String name, int family, int lines, int rows, int errors) throws IOException {
        List<Expected> expected = expectations(name);
        Path file = procfs.pid(4242, "net", name);
        Parsed parsed = parse(file, family, new ArrayList<>());

        assertThat(parsed.parser.lines()).isEqualTo(lines);
        assertThat(parsed.parser.rows()).isEqualTo(rows).isEqualTo(parsed.rows.size());
        assertThat(parsed.parser.errorCount()).isEqualTo(errors).isEqualTo(parsed.errors.size());

        List<SocketRow> expectedRows = new ArrayList<>();
        List<String> expectedErrors = new ArrayList<>();
        for (Expected e : expected) {
            if (e.error != null) {
                expectedErrors.add(file + ":" + e.line + ": " + e.error);
            } else {
                expectedRows.add(e.row(family));
            }
        }
        assertThat(parsed.rows).containsExactlyElementsOf(expectedRows);
        assertThat(parsed.errors).extracting(ParseError::message).containsExactlyElementsOf(expectedErrors);
    }

    /** The fixtures were written as an x86-64 kernel prints them, whatever this machine is. */
    private static Parsed parse(Path file, int family, List<SocketRow> rows) throws IOException {
        List<ParseError> errors = new ArrayList<>();
        TcpTableParser parser = new TcpTableParser(file.toString(), NETNS, family, ByteOrder.LITTLE_ENDIAN,
                rows::add, errors::add);
        byte[] text = Files.readAllBytes(file);
        parser.feed(text, 0, text.length);
        parser.finish();
        return new Parsed(parser, rows, errors);
    }

    private record Parsed(TcpTableParser parser, List<SocketRow> rows, List<ParseError> errors) {
    }

    /** One line of expected.txt: a row's meaning, or the reason its line is rejected. */
    private record Expected(int line, String error, String[] f) {
        SocketRow row(int family) {
            Endpoint local = Endpoint.of(f[3], family);
            Endpoint remote = Endpoint.of(f[4], family);
            SocketKey key = new SocketKey(NETNS, family, local.hi, local.lo, local.port,
                    remote.hi, remote.lo, remote.port, 0);
            return new SocketRow(key, TcpState.valueOf(f[2]), TimerKind.valueOf(f[5].toUpperCase(Locale.ROOT)),
                    Long.parseLong(f[6]), Integer.parseInt(f[7]), Integer.parseInt(f[8]), Long.parseLong(f[9]),
                    Long.parseLong(f[10]), Long.parseLong(f[11]));
        }
    }

    /** An ss-style endpoint, {@code a.b.c.d:port} or {@code [v6]:port}, in SocketKey's (hi, lo) convention. */
    private record Endpoint(long hi, long lo, int port) {
        static Endpoint of(String text, int family) {
            int colon = text.lastIndexOf(':');
            String host = text.substring(0, colon).replace("[", "").replace("]", "");
            int port = Integer.parseInt(text.substring(colon + 1));
            byte[] ip = literal(host).getAddress();
            if (family == 4) {
                assertThat(ip).hasSize(4);
                return new Endpoint(0, ByteBuffer.wrap(ip).getInt() & 0xffff_ffffL, port);
            }
            ByteBuffer v6 = ByteBuffer.allocate(16);
            if (ip.length == 4) {
                // InetAddress unwraps ::ffff:a.b.c.d to IPv4; the kernel's tcp6 socket is still IPv6.
                v6.putLong(0).putShort((short) 0).putShort((short) 0xffff).put(ip);
            } else {
                v6.put(ip);
            }
            return new Endpoint(v6.getLong(0), v6.getLong(8), port);
        }

        private static InetAddress literal(String host) {
            try {
                InetAddress a = InetAddress.getByName(host);
                assertThat(host.contains(":") || a instanceof Inet4Address).isTrue();
                return a;
            } catch (IOException e) {
                throw new IllegalArgumentException("not an address literal: " + host, e);
            }
        }
    }

    private static List<Expected> expectations(String file) throws IOException {
        List<Expected> out = new ArrayList<>();
        Path meaning = resource("/fixtures/procfs-tcp/expected.txt");
        for (String raw : Files.readAllLines(meaning)) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\\s+");
            if (!f[0].equals(file)) {
                continue;
            }
            int lineNumber = Integer.parseInt(f[1]);
            if (f[2].equals("error")) {
                out.add(new Expected(lineNumber, line.split("\\s+", 4)[3], f));
            } else {
                assertThat(f).as(raw).hasSize(12);
                out.add(new Expected(lineNumber, null, f));
            }
        }
        return out;
    }

    private static Path resource(String name) {
        try {
            return Path.of(Objects.requireNonNull(TcpTableParserFixtureTest.class.getResource(name), name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
