package io.layercake.storage;

import io.layercake.oci.Digest;
import java.nio.file.Path;

/**
 * A committed, verified blob on this node's disk.
 *
 * @param digest its digest
 * @param path the content-addressed file
 * @param size its length in bytes
 * @param mediaType the manifest media type, or null for layers and configs
 */
public record StoredBlob(Digest digest, Path path, long size, String mediaType) {}
