package io.layercake.storage;

/**
 * What the node last knew of a tag, kept for listing and for serving tags while upstream is down.
 *
 * @param digest the manifest digest the tag pointed at, {@code sha256:...}
 * @param mediaType that manifest's media type
 * @param validatedAt when upstream last confirmed the tag, epoch milliseconds
 */
public record TagRecord(String digest, String mediaType, long validatedAt) {}
