/**
 * JMH micro-benchmarks of a node's hot paths, each run against the production classes on a data
 * folder of its own: hashing a blob while it streams to disk ({@link
 * io.layercake.bench.StreamingDigestBenchmark}: the bare sha256, {@code BlobWriter} with and
 * without its commit, and a whole in-memory {@code BlobFill}, for several chunk sizes, in MiB/s),
 * the same fill from an upstream on loopback, verifier stage included ({@link
 * io.layercake.bench.UpstreamFillBenchmark}, in MiB/s), the RocksDB blob index under 100,000
 * entries ({@link io.layercake.bench.BlobIndexBenchmark}: lookups that hit and miss, the pull
 * record, {@code BlobStore.findForPull}, in operations per second), and persist round trips
 * through the RocksDB journal from an event-sourced entity ({@link
 * io.layercake.bench.JournalWriteBenchmark}, in persists per second). Input is seeded, so every
 * run does the same work; each class's Javadoc says what its numbers mean and how to run it
 * alone. Build the shaded jar and run them all with {@code mvn -q -B -DskipTests -pl load-tests
 * -am package && java -cp load-tests/target/load-tests.jar org.openjdk.jmh.Main
 * io.layercake.bench -f 1 -wi 3 -i 5} (JMH takes a regular expression of benchmark names; {@code
 * -l} lists the benchmarks, {@code -h} the options). Iterations last 3 s unless {@code -w} and
 * {@code -r} say otherwise; the whole set takes about 15 minutes.
 */
package io.layercake.bench;
