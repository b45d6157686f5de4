package io.finwatch.streams.arch.cycle.a;

import io.finwatch.streams.arch.cycle.b.B;

/** Half of a deliberate package cycle, the fixture of {@code StreamsPackagesTest}. */
public final class A {
    B partner;
}
