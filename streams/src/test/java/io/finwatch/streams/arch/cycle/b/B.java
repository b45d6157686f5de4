package io.finwatch.streams.arch.cycle.b;

import io.finwatch.streams.arch.cycle.a.A;

/** The other half of the deliberate package cycle. */
public final class B {
    A partner;
}
