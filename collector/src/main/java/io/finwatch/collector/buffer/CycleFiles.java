package io.finwatch.collector.buffer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Chronicle files of a buffer directory, checked before Chronicle opens any of them.
 *
 * <p>Chronicle reads a file's first excerpt, its header, when it maps the file, and throws from deep inside
 * ("Unexpected magic number") or waits for a writer that will never come when that header is not a finished
 * metadata excerpt naming the store type. A damaged header would then fail every start, so it is checked here,
 * from the bytes, and such a file is moved to quarantine before the queue is built.
 */
final class CycleFiles {
    static final String CYCLE_SUFFIX = ".cq4";
    static final String METADATA_SUFFIX = ".cq4t";
    /** Chronicle's own limit for a header excerpt. */
    private static final int MAX_HEADER = 1 << 16;
    private static final byte[] HEADER_FIELD = {(byte) 0xB9, 0x06, 'h', 'e', 'a', 'd', 'e', 'r'};

    private CycleFiles() {
    }

    /** Cycle and metadata files of {@code dir} by path, with their sizes on disk now. */
    static Map<Path, Long> list(Path dir) throws IOException {
        Map<Path, Long> out = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, f -> isQueueFile(f) && Files.isRegularFile(f))) {
            for (Path f : files) {
                out.put(f, Files.size(f));
            }
        }
        return out;
    }

    static boolean isQueueFile(Path f) {
        String name = f.getFileName().toString();
        return name.endsWith(CYCLE_SUFFIX) || name.endsWith(METADATA_SUFFIX);
    }

    /** Why {@code file} cannot be a Chronicle store, or null when its header looks like one. */
    static String headerProblem(Path file) throws IOException {
        byte[] head = new byte[64];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        String store = file.getFileName().toString().endsWith(METADATA_SUFFIX) ? "STStore" : "SCQStore";
        return headerProblem(head, n, store);
    }

    /**
     * Pure check of a store header: a finished metadata excerpt of plausible length whose body starts with the
     * field {@code header} of type {@code store}.
     */
    static String headerProblem(byte[] head, int length, String store) {
        if (length < 4) {
            return "file of " + length + " bytes has no header";
        }
        int word = ByteBuffer.wrap(head, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if ((word & CycleFileScan.NOT_COMPLETE) != 0 || (word & CycleFileScan.META_DATA) == 0) {
            return String.format("first word 0x%08x is not a finished header", word);
        }
        int bodyLength = word & CycleFileScan.LENGTH_MASK;
        if (bodyLength == 0 || bodyLength > MAX_HEADER) {
            return "header length " + bodyLength + " is out of range";
        }
        byte[] type = store.getBytes(StandardCharsets.US_ASCII);
        int typeAt = 4 + HEADER_FIELD.length + 2;
        if (length < typeAt + type.length) {
            return "header shorter than its store type";
        }
        for (int i = 0; i < HEADER_FIELD.length; i++) {
            if (head[4 + i] != HEADER_FIELD[i]) {
                return "header does not start with the field 'header'";
            }
        }
        if ((head[typeAt - 1] & 0xFF) != type.length) {
            return "header is not of type " + store;
        }
        for (int i = 0; i < type.length; i++) {
            if (head[typeAt + i] != type[i]) {
                return "header is not of type " + store;
            }
        }
        return null;
    }
}
