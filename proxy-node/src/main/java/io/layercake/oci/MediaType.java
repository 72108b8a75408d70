package io.layercake.oci;

import java.util.List;

/** The manifest media types a registry mirror must tell apart, and what each one is. */
public final class MediaType {

  /** An OCI image index (multi-platform). */
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  /** A single-platform OCI image manifest. */
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  /** A Docker manifest list (multi-platform). */
  public static final String DOCKER_MANIFEST_LIST =
      "application/vnd.docker.distribution.manifest.list.v2+json";
  /** A single-platform Docker image manifest, schema 2. */
  public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  /** A signed Docker schema 1 manifest (legacy). */
  public static final String DOCKER_MANIFEST_V1_SIGNED =
      "application/vnd.docker.distribution.manifest.v1+prettyjws";
  /** An unsigned Docker schema 1 manifest (legacy). */
  public static final String DOCKER_MANIFEST_V1 = "application/vnd.docker.distribution.manifest.v1+json";
  /** What blobs are served as: their media type lives in the manifest, not in the registry. */
  public static final String OCTET_STREAM = "application/octet-stream";

  /**
   * Every manifest type the mirror asks upstream for, so that it caches what upstream holds (an
   * index rather than one platform's manifest), and can answer any client from that.
   */
  public static final List<String> ALL_MANIFESTS =
      List.of(OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST, DOCKER_MANIFEST,
          DOCKER_MANIFEST_V1_SIGNED, DOCKER_MANIFEST_V1);

  private MediaType() {}

  /** Whether the type is a multi-platform index or manifest list. */
  public static boolean isIndex(String mediaType) {
    return OCI_INDEX.equals(mediaType) || DOCKER_MANIFEST_LIST.equals(mediaType);
  }

  /** Whether the type is one of the manifest types above; false for null. */
  public static boolean isManifestType(String mediaType) {
    // List.of(...).contains(null) throws: an absent Content-Type must answer false, not fail.
    return mediaType != null && ALL_MANIFESTS.contains(mediaType);
  }
}
