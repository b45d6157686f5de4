package io.finwatch.bench;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the benchmark method of a class that the others are compared with: the least work any implementation
 * has to do on the same input. {@link JmhMain} prints every other result of the class as a multiple of it.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Anchor {
}
