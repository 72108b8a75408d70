/**
 * The node's operational numbers: a small lock-free metric registry (counters, gauges, fixed-bucket
 * histograms) rendered in the Prometheus text format, and {@link io.layercake.metrics.NodeMetrics},
 * the one instance per node that every other package reports to. It depends on no other package
 * of the project, so any of them may use it.
 */
package io.layercake.metrics;
