/**
 * The node's operational numbers: {@link io.layercake.metrics.NodeMetrics}, the one instance per
 * node that every other package reports to, kept in the official Prometheus client library and
 * exposed in the Prometheus text format or OpenMetrics. It depends on no other package
 * of the project, so any of them may use it.
 */
package io.layercake.metrics;
