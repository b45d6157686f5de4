package io.finwatch.deploy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A Dockerfile as a list of instructions: comments and blank lines dropped, continuation lines joined, each
 * instruction tagged with the build stage it belongs to. Enough to check what an image runs, not a full parser
 * (no heredocs, no parser directives other than the syntax line, which is a comment here).
 */
record Dockerfile(String name, List<Instruction> instructions) {

    record Instruction(int line, int stage, String keyword, String args) {
    }

    static Dockerfile parse(String name, String text) {
        List<Instruction> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        int stage = -1;
        StringBuilder pending = null;
        int startLine = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (pending == null && (line.isEmpty() || line.startsWith("#"))) {
                continue;
            }
            if (pending != null && line.startsWith("#")) {
                continue; // a comment inside a continued instruction is not part of it
            }
            if (pending == null) {
                pending = new StringBuilder();
                startLine = i + 1;
            }
            boolean continues = line.endsWith("\\");
            pending.append(continues ? line.substring(0, line.length() - 1) : line).append(' ');
            if (!continues) {
                String full = pending.toString().strip();
                int space = full.indexOf(' ');
                String keyword = (space < 0 ? full : full.substring(0, space)).toUpperCase();
                String args = space < 0 ? "" : full.substring(space + 1).strip();
                if (keyword.equals("FROM")) {
                    stage++;
                }
                if (stage < 0 && !keyword.equals("ARG")) {
                    throw new IllegalArgumentException(name + ":" + startLine + ": " + keyword + " before the first FROM");
                }
                out.add(new Instruction(startLine, stage, keyword, args));
                pending = null;
            }
        }
        if (pending != null) {
            throw new IllegalArgumentException(name + ":" + startLine + ": instruction continued past the end of the file");
        }
        return new Dockerfile(name, List.copyOf(out));
    }

    List<Instruction> all(String keyword) {
        return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
    }

    int lastStage() {
        return instructions.stream().mapToInt(Instruction::stage).max().orElse(-1);
    }

    List<Instruction> inStage(int stage, String keyword) {
        return all(keyword).stream().filter(i -> i.stage() == stage).toList();
    }

    Optional<Instruction> lastInStage(int stage, String keyword) {
        List<Instruction> found = inStage(stage, keyword);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(found.size() - 1));
    }

    /** The final stage's ENTRYPOINT in exec (JSON array) form; the shell form would not get signals as PID 1. */
    List<String> entrypoint() {
        Instruction e = lastInStage(lastStage(), "ENTRYPOINT")
                .orElseThrow(() -> new AssertionError(name + ": the final stage has no ENTRYPOINT"));
        if (!e.args().startsWith("[")) {
            throw new AssertionError(name + ":" + e.line() + ": ENTRYPOINT is not in exec form: " + e.args());
        }
        try {
            return new ObjectMapper().readValue(e.args(), new TypeReference<List<String>>() { });
        } catch (Exception ex) {
            throw new AssertionError(name + ":" + e.line() + ": ENTRYPOINT is not a JSON array: " + ex.getMessage(), ex);
        }
    }
}
