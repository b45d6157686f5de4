package io.finwatch.collector.kernel;

import java.util.function.Function;

/**
 * The lines of a {@code /proc/<pid>/cgroup} file ({@code hierarchy:controllers:path}, one per hierarchy under cgroup
 * v1, a single {@code 0::path} under v2), for the parsers that look for one name in the paths.
 */
final class CgroupLines {
    private CgroupLines() {
    }

    /** What {@code fromPath} finds in the first line's path that names anything; null when none does. */
    static String first(String cgroupFile, Function<String, String> fromPath) {
        if (cgroupFile == null) {
            return null;
        }
        int start = 0;
        while (start < cgroupFile.length()) {
            int end = cgroupFile.indexOf('\n', start);
            if (end < 0) {
                end = cgroupFile.length();
            }
            String found = fromLine(cgroupFile.substring(start, end), fromPath);
            if (found != null) {
                return found;
            }
            start = end + 1;
        }
        return null;
    }

    /** Lines not of the {@code a:b:path} form name nothing. */
    private static String fromLine(String line, Function<String, String> fromPath) {
        int first = line.indexOf(':');
        int second = first < 0 ? -1 : line.indexOf(':', first + 1);
        return second < 0 ? null : fromPath.apply(line.substring(second + 1));
    }
}
