package io.finwatch.collector.buffer;

/**
 * A snapshot of the buffer for metrics.
 *
 * @param depthEvents    events appended but not yet acknowledged by Kafka
 * @param depthBytes     record bytes of those events (what the cap bounds)
 * @param fileCount      cycle files on disk
 * @param shedTotal      events refused under the disk cap since this process opened the buffer
 * @param corruptRecords records found unreadable (torn, CRC mismatch, undecodable) and skipped
 * @param lostEvents     events found lost from the buffer (unreadable or missing records) and declared in heartbeats
 */
public record BufferStats(long depthEvents, long depthBytes, int fileCount, long shedTotal, long corruptRecords,
                          long lostEvents) {
}
