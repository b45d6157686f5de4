package io.finwatch.collector.track;

/**
 * What reading one namespace's fin timeout gave.
 *
 * @param netns           the namespace
 * @param pid             the process it was entered through
 * @param value           its own value ({@link FinTimeout.Source#NAMESPACE}), or the collector's namespace's in its
 *                        place ({@link FinTimeout.Source#HOST_FALLBACK}), or null when neither could be read
 * @param failure         why its own value could not be read, or null when it was
 * @param fallbackFailure why the collector's value could not be read either, or null
 */
public record FinTimeoutRead(long netns, int pid, FinTimeout value, String failure, String fallbackFailure) {
}
