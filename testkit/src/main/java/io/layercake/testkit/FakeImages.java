package io.layercake.testkit;

/** Publishes generated images into a {@link FakeRegistry}, as a push to Docker Hub would. */
public final class FakeImages {

  private FakeImages() {}

  /** Puts every blob and manifest of {@code image} under {@code repo}, and tags the top one. */
  public static void publish(FakeRegistry registry, String repo, String tag, Image image) {
    image.blobs().forEach(blob -> registry.putBlob(repo, blob.bytes()));
    image.largeBlobs().forEach(blob -> registry.putBlobFile(repo, blob.digest(), blob.file()));
    for (PlatformManifest platform : image.platformManifests()) {
      Manifest manifest = platform.manifest();
      registry.putManifest(repo, null, manifest.mediaType(), manifest.bytes());
    }
    registry.putManifest(repo, tag, image.manifest().mediaType(), image.manifest().bytes());
  }
}
