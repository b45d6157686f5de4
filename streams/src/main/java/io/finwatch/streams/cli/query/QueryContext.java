package io.finwatch.streams.cli.query;

import java.io.PrintWriter;
import java.time.Clock;

/** What a query subcommand works with: the API, where its output goes, and how it renders times. */
record QueryContext(ApiClient api, PrintWriter out, PrintWriter err, boolean json, Human human, Clock clock) {
}
