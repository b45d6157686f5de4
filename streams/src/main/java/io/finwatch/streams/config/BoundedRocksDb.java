package io.finwatch.streams.config;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * One off-heap memory budget for every RocksDB instance in this JVM. Left alone, Kafka Streams gives each store
 * (and each segment of a window store) a 50 MiB block cache and up to three 16 MiB memtables, so native memory
 * grows with the number of stores and segments, not with the data. Here the block cache and the memtables of all
 * stores share one LRU cache of {@value #MEMORY_BYTES_CONFIG} bytes; the detector's stores are small and hot, and
 * the record cache in front of them absorbs most writes.
 */
public final class BoundedRocksDb implements RocksDBConfigSetter {

    /** Streams property: the shared budget in bytes for block cache and memtables of all stores. */
    public static final String MEMORY_BYTES_CONFIG = "finwatch.rocksdb.memory.bytes";
    public static final long DEFAULT_MEMORY_BYTES = 64L << 20;
    /**
     * The unit a memtable takes memory in (RocksDB's default is an eighth of the write buffer, 512 KiB here). Every
     * store that has been written since its last flush holds at least one block, charged to the shared write-buffer
     * budget; with the default, a hundred or so stores (a detector task has a dozen, window segments add more) filled
     * the budget with nearly empty memtables, so every write made its store flush a memtable of a few KiB and L0
     * compactions never stopped. At 64 KiB they take a few MiB together, and memtables flush when they are full.
     */
    static final long ARENA_BLOCK_BYTES = 64L << 10;
    /** Index and filter blocks live in the cache too (so they are bounded); this share is kept for them. */
    private static final double INDEX_FILTER_RATIO = 0.2;

    private static Shared shared;

    private record Shared(long bytes, Cache cache, WriteBufferManager writeBuffers) {
    }

    /** The same cache for every store: created by the first store of the JVM, never closed by a store. */
    private static synchronized Shared shared(long bytes) {
        if (shared == null || shared.bytes != bytes) {
            Cache cache = new LRUCache(bytes, -1, false, INDEX_FILTER_RATIO);
            // Memtables are charged to the same cache: half of it at most.
            shared = new Shared(bytes, cache, new WriteBufferManager(bytes / 2, cache));
        }
        return shared;
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        Shared s = shared(memoryBytes(configs));
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(s.cache());
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(s.writeBuffers());
        options.setMaxWriteBufferNumber(2);
        options.setWriteBufferSize(Math.max(1L << 20, s.bytes() / 16));
        options.setArenaBlockSize(ARENA_BLOCK_BYTES);
        options.setTableFormatConfig(table);
    }

    static long memoryBytes(Map<String, Object> configs) {
        Object v = configs.get(MEMORY_BYTES_CONFIG);
        if (v == null) {
            return DEFAULT_MEMORY_BYTES;
        }
        long bytes;
        try {
            bytes = Long.parseLong(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(MEMORY_BYTES_CONFIG + " must be a number of bytes, not '" + v + "'");
        }
        if (bytes < (4L << 20)) {
            throw new IllegalArgumentException(MEMORY_BYTES_CONFIG + " must be at least 4194304 (4 MiB), not " + bytes);
        }
        return bytes;
    }

    @Override
    public void close(String storeName, Options options) {
        // The cache and the write buffer manager are shared by every store of the JVM: a store closing (a task
        // migrating away) must not free them under the others.
    }
}
