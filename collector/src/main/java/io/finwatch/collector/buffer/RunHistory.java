package io.finwatch.collector.buffer;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The runs whose events may still be in the buffer ({@value #NAME}), oldest first: what a reader needs to say
 * which numbers of which run a stretch of missing records held. Rewritten whole at every start (to a temporary
 * file, synced, then renamed over the old one), so it is either the old or the new version, never half of each.
 *
 * <p>Text, one run a line ({@code epoch first_seq last_seq}, {@code ?} for an unknown number), then a CRC32C of
 * the lines, so an operator can read it and a damaged one is recognised.
 */
final class RunHistory {
    static final String NAME = "finwatch.runs";
    private static final String HEADER = "# finwatch buffer runs: epoch first_seq last_seq ('?' = unknown)\n";
    private static final String CRC_PREFIX = "crc32c ";

    private RunHistory() {
    }

    /**
     * The runs in {@code dir}'s file, or an empty list when there is none.
     *
     * @throws CorruptRecordException when the file does not parse or its CRC does not match
     */
    static List<Run> read(Path dir) throws IOException, CorruptRecordException {
        Path file = dir.resolve(NAME);
        if (!Files.exists(file)) {
            return List.of();
        }
        return parse(Files.readString(file, StandardCharsets.ISO_8859_1));
    }

    static List<Run> parse(String text) throws CorruptRecordException {
        int crcAt = text.lastIndexOf(CRC_PREFIX);
        if (crcAt < 0 || !text.endsWith("\n")) {
            throw new CorruptRecordException("no CRC line");
        }
        String body = text.substring(0, crcAt);
        String stored = text.substring(crcAt + CRC_PREFIX.length()).trim();
        if (!stored.equals(crc(body))) {
            throw new CorruptRecordException("CRC32C mismatch: stored " + stored + ", computed " + crc(body));
        }
        List<Run> runs = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.trim().split(" ");
            if (f.length != 3) {
                throw new CorruptRecordException("line '" + line + "' is not 'epoch first_seq last_seq'");
            }
            try {
                runs.add(new Run(Long.parseLong(f[0]), number(f[1]), number(f[2])));
            } catch (NumberFormatException e) {
                throw new CorruptRecordException("line '" + line + "': " + e.getMessage());
            }
        }
        return runs;
    }

    /** Replaces {@code dir}'s file with {@code runs}. */
    static void write(Path dir, List<Run> runs) throws IOException {
        StringBuilder body = new StringBuilder(HEADER);
        for (Run r : runs) {
            body.append(r.epoch()).append(' ').append(text(r.firstSeq())).append(' ').append(text(r.lastSeq())).append('\n');
        }
        String text = body + CRC_PREFIX + crc(body.toString()) + "\n";
        Path tmp = dir.resolve(NAME + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
             OutputStream out = java.nio.channels.Channels.newOutputStream(ch)) {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static long number(String s) {
        return s.equals("?") ? Run.UNKNOWN : Long.parseLong(s);
    }

    private static String text(long n) {
        return n == Run.UNKNOWN ? "?" : Long.toString(n);
    }

    private static String crc(String body) {
        CRC32C crc = new CRC32C();
        crc.update(body.getBytes(StandardCharsets.ISO_8859_1));
        return HexFormat.of().toHexDigits((int) crc.getValue());
    }
}
