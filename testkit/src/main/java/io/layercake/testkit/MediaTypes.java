package io.layercake.testkit;

import java.util.List;

/** The manifest and blob media types the testkit generates and asks registries for. */
public final class MediaTypes {

  /** Docker image manifest, schema 2. */
  public static final String DOCKER_MANIFEST =
      "application/vnd.docker.distribution.manifest.v2+json";

  /** Docker manifest list (multi-architecture). */
  public static final String DOCKER_MANIFEST_LIST =
      "application/vnd.docker.distribution.manifest.list.v2+json";

  /** Docker image config. */
  public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";

  /** Docker gzip-compressed layer. */
  public static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip";

  /** OCI image manifest. */
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

  /** OCI image index (multi-architecture). */
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";

  /** OCI image config. */
  public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";

  /** OCI gzip-compressed layer. */
  public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";

  /** Arbitrary bytes, for blobs that are no part of an image. */
  public static final String OCTET_STREAM = "application/octet-stream";

  /** Every manifest type above: what a modern client sends in {@code Accept}. */
  public static final List<String> ALL_MANIFESTS =
      List.of(OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST);

  private MediaTypes() {}

  /** Whether {@code mediaType} is an index or manifest list. */
  public static boolean isIndex(String mediaType) {
    return OCI_INDEX.equals(mediaType) || DOCKER_MANIFEST_LIST.equals(mediaType);
  }
}
