package io.finwatch.streams.cli.query;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** A query subcommand: the shared options, and errors turned into one line and an exit code by {@link QueryCommand}. */
abstract class ApiCommand implements Callable<Integer> {

    @Mixin
    QueryOptions options;

    @ParentCommand
    QueryCommand query;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() throws InterruptedException {
        return query.execute(spec, options, this);
    }

    abstract void run(QueryContext ctx) throws ApiError, ApiUnreachable, InterruptedException;
}
