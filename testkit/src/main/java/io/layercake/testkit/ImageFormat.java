package io.layercake.testkit;

/**
 * Which family of media types an image uses. Docker Hub serves both: older images as Docker schema
 * 2, newer builds as OCI. A mirror must pass each through unchanged.
 */
public enum ImageFormat {
  /** Docker schema 2 manifest and manifest list. */
  DOCKER(
      MediaTypes.DOCKER_MANIFEST,
      MediaTypes.DOCKER_MANIFEST_LIST,
      MediaTypes.DOCKER_CONFIG,
      MediaTypes.DOCKER_LAYER),
  /** OCI image manifest and index. */
  OCI(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX, MediaTypes.OCI_CONFIG, MediaTypes.OCI_LAYER);

  private final String manifestType;
  private final String indexType;
  private final String configType;
  private final String layerType;

  ImageFormat(String manifestType, String indexType, String configType, String layerType) {
    this.manifestType = manifestType;
    this.indexType = indexType;
    this.configType = configType;
    this.layerType = layerType;
  }

  /** Media type of a single-platform manifest. */
  public String manifestType() {
    return manifestType;
  }

  /** Media type of a multi-platform index (manifest list). */
  public String indexType() {
    return indexType;
  }

  /** Media type of the image config blob. */
  public String configType() {
    return configType;
  }

  /** Media type of a gzip-compressed layer. */
  public String layerType() {
    return layerType;
  }
}
