package io.finwatch.collector.kernel;

import io.finwatch.collector.socket.ParseError;
import io.finwatch.collector.socket.ReadScope;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.track.NetNamespace;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A namespace's sockets from {@code <procfs>/<pid>/net/tcp} and {@code tcp6} of one of its processes, parsed on
 * {@link TableReader}'s thread while the poll thread reads: the rows consumer runs there.
 */
final class ProcfsSource implements SocketSource {
    private final Procfs procfs;
    private final TableReader reader = new TableReader();
    /** Rows delivered by the current read; written on the parse thread, read after {@link TableReader#read}. */
    private int delivered;

    ProcfsSource(Procfs procfs) {
        this.procfs = procfs;
    }

    /** The text tables always list every socket, so every read is {@link ReadScope#WHOLE}. */
    @Override
    public ReadScope read(NetNamespace ns, ReadScope asked, Consumer<SocketRow> rows, List<ParseError> errors,
                          List<String> readFailures) {
        readAll(ns, rows, errors, readFailures);
        return ReadScope.WHOLE;
    }

    private void readAll(NetNamespace ns, Consumer<SocketRow> rows, List<ParseError> errors, List<String> readFailures) {
        Consumer<SocketRow> counted = row -> {
            delivered++;
            rows.accept(row);
        };
        // The representative may exit between the scan and the read; any other pid of the namespace will do.
        List<Integer> candidates = new ArrayList<>(4);
        candidates.add(ns.representativePid());
        for (int pid : ns.pids()) {
            if (pid != ns.representativePid() && candidates.size() < 4) {
                candidates.add(pid);
            }
        }
        for (int pid : candidates) {
            delivered = 0;
            try {
                reader.read(procfs.pid(pid, "net", "tcp"), ns.inode(), 4, counted, errors::add);
                reader.read(procfs.pid(pid, "net", "tcp6"), ns.inode(), 6, counted, errors::add);
                return;
            } catch (NoSuchFileException gone) {
                if (delivered != 0) {
                    // tcp was read but the process left before tcp6: the v4 rows stand; report the gap.
                    readFailures.add(procfs.pid(pid, "net", "tcp6") + ": process exited during the read");
                    return;
                }
            } catch (IOException e) {
                readFailures.add(procfs.pid(pid, "net") + ": " + e);
                return;
            }
        }
        readFailures.add("netns " + ns.inode() + ": every candidate process exited before its table was read");
    }

    @Override
    public void close() {
        reader.close();
    }
}
