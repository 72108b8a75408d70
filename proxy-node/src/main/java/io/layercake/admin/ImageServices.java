package io.layercake.admin;

import io.layercake.blob.BlobFills;
import io.layercake.cluster.PeerClient;
import io.layercake.manifest.ManifestSettings;
import io.layercake.manifest.Manifests;
import io.layercake.storage.BlobStore;
import io.layercake.upstream.Upstreams;
import java.util.concurrent.Executor;

/**
 * The node's services that the image verbs (pull, save, load, inspect, history) work through: the
 * same ones the registry API uses, so that what they do is what a client's pull would do.
 *
 * @param upstreams the configured upstreams
 * @param fills blob fills
 * @param store the blob store
 * @param peers the other nodes
 * @param blocking runs file and journal work
 * @param manifests manifests by digest and tag fetches
 * @param manifestSettings tag timeouts
 */
public record ImageServices(Upstreams upstreams, BlobFills fills, BlobStore store, PeerClient peers,
    Executor blocking, Manifests manifests, ManifestSettings manifestSettings) {}
