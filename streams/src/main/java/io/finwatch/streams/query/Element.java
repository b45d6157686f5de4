package io.finwatch.streams.query;

/** An element of an API array: each says whether it came from a copy that may lag the active one. */
public interface Element {
    boolean stale();
}
