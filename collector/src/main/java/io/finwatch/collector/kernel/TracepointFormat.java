package io.finwatch.collector.kernel;

import java.util.HashMap;
import java.util.Map;

/**
 * A tracepoint's {@code format} file from tracefs: its id and where each field lies in the raw record. The layout
 * is read rather than assumed because it has moved between kernel versions (fields were added to
 * {@code sock:inet_sock_set_state} after it appeared).
 */
public final class TracepointFormat {
    /** Where a field lies, in bytes from the start of the raw record (the common fields come first). */
    public record Field(int offset, int size) {
    }

    private final String file;
    private final int id;
    private final Map<String, Field> fields;

    private TracepointFormat(String file, int id, Map<String, Field> fields) {
        this.file = file;
        this.id = id;
        this.fields = fields;
    }

    /**
     * @param file what the text was read from, for messages
     * @throws IllegalArgumentException when the text has no ID line or a field line cannot be read
     */
    public static TracepointFormat parse(String file, String text) {
        Integer id = null;
        Map<String, Field> fields = new HashMap<>();
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].strip();
            if (line.startsWith("ID:")) {
                id = number(file, n, line.substring(3).strip());
            } else if (line.startsWith("field:")) {
                parseField(file, n, line, fields);
            }
        }
        if (id == null) {
            throw new IllegalArgumentException("tracepoint format " + file + ": no ID line");
        }
        return new TracepointFormat(file, id, Map.copyOf(fields));
    }

    /** {@code field:__u8 saddr_v6[16];\toffset:40;\tsize:16;\tsigned:0;} */
    private static void parseField(String file, int n, String line, Map<String, Field> into) {
        String declaration = null;
        Integer offset = null;
        Integer size = null;
        for (String part : line.split(";")) {
            int colon = part.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = part.substring(0, colon).strip();
            String value = part.substring(colon + 1).strip();
            switch (key) {
                case "field" -> declaration = value;
                case "offset" -> offset = number(file, n, value);
                case "size" -> size = number(file, n, value);
                default -> {
                    // signed, and whatever later kernels add
                }
            }
        }
        if (declaration == null || offset == null || size == null) {
            throw new IllegalArgumentException("tracepoint format " + file + " line " + (n + 1)
                    + ": a field without offset or size: " + line);
        }
        int bracket = declaration.indexOf('[');
        String name = (bracket < 0 ? declaration : declaration.substring(0, bracket)).strip();
        // The name is the declaration's last word: "const void * skaddr", "__u8 saddr_v6".
        name = name.substring(Math.max(name.lastIndexOf(' '), name.lastIndexOf('*')) + 1);
        into.put(name, new Field(offset, size));
    }

    private static int number(String file, int n, String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("tracepoint format " + file + " line " + (n + 1)
                    + ": not a number: " + text);
        }
    }

    public int id() {
        return id;
    }

    /** The field, or null. */
    public Field field(String name) {
        return fields.get(name);
    }

    /**
     * The offset of a field the reader needs, of the size it decodes.
     *
     * @throws IllegalArgumentException when the field is absent or of another size
     */
    public int offset(String name, int size) {
        Field f = fields.get(name);
        if (f == null) {
            throw new IllegalArgumentException("tracepoint format " + file + ": no field " + name);
        }
        if (f.size() != size) {
            throw new IllegalArgumentException("tracepoint format " + file + ": field " + name + " has size "
                    + f.size() + ", expected " + size);
        }
        return f.offset();
    }
}
