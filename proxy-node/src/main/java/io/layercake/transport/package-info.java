/**
 * Outgoing HTTP, shared by the upstream client and the node-to-node client: {@link
 * io.layercake.transport.HttpTransport} (pooled requests with a response timeout, small bodies
 * read whole under a cap) and its {@link io.layercake.transport.ConnectionSettings}. It knows
 * nothing of registries or of the cluster, so both can use it without depending on each other.
 */
package io.layercake.transport;
