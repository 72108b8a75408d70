/**
 * The cluster: settings and formation, how shards are allocated, how sharded entities passivate
 * themselves ({@link io.layercake.cluster.SelfPassivation}), where each node's registry API is
 * ({@link io.layercake.cluster.PeerDirectory}), and the client nodes use to stream blobs and
 * manifests from each other ({@link io.layercake.cluster.PeerClient}).
 */
package io.layercake.cluster;
