package io.finwatch.collector.track;

import java.time.Instant;

/** The process that held a socket while it was attached, and when the collector last saw it do so. */
public record LastOwner(Owner owner, Instant seenAt) {
}
