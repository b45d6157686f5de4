package io.finwatch.deploy;

import java.util.List;
import java.util.Optional;

/** Option values in an argument list, in either {@code --name=value} or {@code --name value} form. */
final class Args {
    private Args() {
    }

    static Optional<String> value(List<String> args, String option) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith(option + "=")) {
                return Optional.of(a.substring(option.length() + 1));
            }
            if (a.equals(option) && i + 1 < args.size()) {
                return Optional.of(args.get(i + 1));
            }
        }
        return Optional.empty();
    }

    static String required(List<String> args, String option, String where) {
        return value(args, option).orElseThrow(() -> new AssertionError(where + " does not set " + option + ": " + args));
    }

    static int port(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }
}
