/**
 * finwatch's Kafka Streams application: {@link io.finwatch.streams.topology.FinwatchTopology} builds the
 * detector, {@link io.finwatch.streams.state.StoreNames} names its queryable stores,
 * {@link io.finwatch.streams.cli.StreamsMain} runs it.
 *
 * <p>Packages, from the floor up: {@code config}, {@code metrics} and {@code state} (store names, key formats,
 * store plumbing, the serdes keeping store values as the Avro records of {@code io.finwatch.schemas.state});
 * the processors {@code decode}, {@code dedup}, {@code detect} (with {@code aggregate} beneath it), each owning
 * its stores' value types; {@code topology}, which only wires them; {@code query} and {@code dashboard}, which
 * read the stores; {@code app} and {@code cli}, which run it all. {@code StreamsPackagesTest} fails on a package
 * cycle, on {@code state} using another package of the module, and on anything but {@code app} using {@code topology}.
 */
package io.finwatch.streams;
