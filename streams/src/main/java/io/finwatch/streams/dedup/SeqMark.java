package io.finwatch.streams.dedup;

/**
 * The highest sequence number taken from one collector run on one topic.
 *
 * @param seq      highest seq accepted
 * @param seenAtMs wall clock of the detector when it last accepted an event of that collector on that topic;
 *                 marks of collector runs long gone are swept by it
 */
public record SeqMark(long seq, long seenAtMs) {
}
