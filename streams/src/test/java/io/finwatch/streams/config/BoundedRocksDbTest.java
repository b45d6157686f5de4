package io.finwatch.streams.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

class BoundedRocksDbTest {

    static {
        RocksDB.loadLibrary();
    }

    @Test
    void everyStoreSharesOneCacheOfTheConfiguredSize() {
        BoundedRocksDb setter = new BoundedRocksDb();
        try (Options a = new Options().setTableFormatConfig(new BlockBasedTableConfig());
             Options b = new Options().setTableFormatConfig(new BlockBasedTableConfig())) {
            Map<String, Object> configs = Map.of(BoundedRocksDb.MEMORY_BYTES_CONFIG, Long.toString(8L << 20));
            setter.setConfig("finwatch-connections", a, configs);
            setter.setConfig("finwatch-dwell-1h.1700000000000", b, configs);

            assertThat(a.writeBufferSize()).isEqualTo(1L << 20);
            assertThat(a.maxWriteBufferNumber()).isEqualTo(2);
            assertThat(((BlockBasedTableConfig) a.tableFormatConfig()).cacheIndexAndFilterBlocks()).isTrue();
            assertThat(b.writeBufferSize()).isEqualTo(a.writeBufferSize());
        }
    }

    @Test
    void theBudgetIsADefaultThatABadValueCannotSlipPast() {
        Properties p = KafkaStreamsProperties.assemble(Map.of(), "(none)", Map.of(), KafkaStreamsPropertiesTest.owned());
        assertThat(p.getProperty("rocksdb.config.setter")).isEqualTo(BoundedRocksDb.class.getName());
        assertThat(p.getProperty(BoundedRocksDb.MEMORY_BYTES_CONFIG)).isEqualTo(Long.toString(64L << 20));

        assertThatThrownBy(() -> KafkaStreamsProperties.assemble(Map.of(), "(none)",
                Map.of(BoundedRocksDb.MEMORY_BYTES_CONFIG, "64m"), KafkaStreamsPropertiesTest.owned()))
                .hasMessage("finwatch.rocksdb.memory.bytes must be a number of bytes, not '64m'");
        assertThatThrownBy(() -> KafkaStreamsProperties.assemble(Map.of(), "(none)",
                Map.of(BoundedRocksDb.MEMORY_BYTES_CONFIG, "1024"), KafkaStreamsPropertiesTest.owned()))
                .hasMessageContaining("at least 4194304");
    }
}
