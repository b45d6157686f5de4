/**
 * finwatch's Kafka Streams application: {@link io.finwatch.streams.topology.FinwatchTopology} builds the
 * detector, {@link io.finwatch.streams.state.StoreNames} names its queryable stores,
 * {@link io.finwatch.streams.cli.StreamsMain} runs it.
 */
package io.finwatch.streams;
