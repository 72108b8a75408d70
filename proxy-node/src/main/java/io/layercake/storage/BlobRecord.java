package io.layercake.storage;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What the index knows of one committed blob.
 *
 * @param size bytes in the file
 * @param mediaType the manifest media type for manifests; null for layers and configs, which are
 *     served as octet streams
 * @param storedAt when the blob was committed, epoch milliseconds
 * @param lastAccess when the blob was last served, epoch milliseconds
 * @param pulls how often the blob was served
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BlobRecord(long size, String mediaType, long storedAt, long lastAccess, long pulls) {}
