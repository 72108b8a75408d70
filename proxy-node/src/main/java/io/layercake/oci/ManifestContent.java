package io.layercake.oci;

/**
 * A manifest's exact bytes with its digest and media type. Manifests are small (the upstream
 * client caps them), so they travel whole: in entity replies and between nodes.
 *
 * @param digest the sha256 of {@code bytes}
 * @param mediaType the media type upstream sent with it
 * @param bytes the bytes, never re-serialised
 */
public record ManifestContent(Digest digest, String mediaType, byte[] bytes) {}
