/**
 * The load scenarios: each starts a simulated internet upstream, layercake and the peer mirrors on
 * loopback, drives them with the same clients, and writes one report that compares them.
 *
 * <p>Start at {@link io.layercake.loadtest.LoadTests}, the command line. A {@link
 * io.layercake.loadtest.Scenario} gets a {@link io.layercake.loadtest.Bench} (the upstream stand-in,
 * the options, the work folder) and starts the {@link io.layercake.loadtest.Mirror}s it compares;
 * {@link io.layercake.loadtest.PullClient} pulls images the way docker does, verifying every
 * digest, and {@link io.layercake.loadtest.Wrk} measures raw request throughput. Results become a
 * {@link io.layercake.loadtest.Section} of the {@link io.layercake.loadtest.Report}.
 */
package io.layercake.loadtest;
