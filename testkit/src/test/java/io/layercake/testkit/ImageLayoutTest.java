package io.layercake.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageLayoutTest {

  @TempDir Path temp;

  @Test
  void writeOciLayout_multiPlatform_readsBackEveryDigest() {
    Image image = TestImage.multiPlatform(ImageFormat.OCI, 1, 100);

    Path dir = OciLayoutWriter.writeOciLayout(image, temp.resolve("oci"), "latest");

    OciLayoutReader.Descriptor top = OciLayoutReader.onlyEntry(dir);
    assertEquals(
        new OciLayoutReader.Descriptor(
            MediaTypes.OCI_INDEX, image.digest(), image.manifest().size(), "latest"),
        top);
    assertEquals(allDigests(image), OciLayoutReader.verifiedDigests(dir));
  }

  @Test
  void writeOciLayout_secondTag_keepsFirstAndReplacesSameTag() {
    Image first = TestImage.singlePlatform(ImageFormat.OCI, 2, 10);
    Image second = TestImage.singlePlatform(ImageFormat.OCI, 3, 10);
    Path dir = temp.resolve("oci");

    OciLayoutWriter.writeOciLayout(first, dir, "a");
    OciLayoutWriter.writeOciLayout(first, dir, "b");
    OciLayoutWriter.writeOciLayout(second, dir, "b");

    List<OciLayoutReader.Descriptor> index = OciLayoutReader.index(dir);
    assertEquals(
        List.of("a", "b"), index.stream().map(OciLayoutReader.Descriptor::refName).toList());
    assertEquals(
        List.of(first.digest(), second.digest()),
        index.stream().map(OciLayoutReader.Descriptor::digest).toList());
  }

  @Test
  void writeOciLayout_largeLayer_linksTheFile() throws IOException {
    Image image =
        TestImage.builder(ImageFormat.OCI, 4).largeLayer(100_000, temp.resolve("large")).build();

    Path dir = OciLayoutWriter.writeOciLayout(image, temp.resolve("oci"), "latest");

    assertEquals(allDigests(image), OciLayoutReader.verifiedDigests(dir));
    LargeBlob layer = image.largeBlobs().get(0);
    assertEquals(
        layer.size(), Files.size(dir.resolve("blobs/sha256/" + Sha256.hex(layer.digest()))));
  }

  @Test
  void dirLayout_dockerManifestList_roundTrips() {
    Image image = TestImage.multiPlatform(ImageFormat.DOCKER, 5, 100);

    Path dir = DirLayoutWriter.write(image, temp.resolve("dir"));

    assertEquals(image.manifest(), DirLayoutReader.topManifest(dir));
    assertEquals(allDigests(image), DirLayoutReader.verifiedDigests(dir));
  }

  @Test
  void dirLayout_nonEmptyTarget_isRejected() throws IOException {
    Path dir = Files.createDirectories(temp.resolve("dir"));
    Files.writeString(dir.resolve("stray"), "x");
    Image image = TestImage.singlePlatform(ImageFormat.DOCKER, 6, 10);

    assertThrows(IllegalArgumentException.class, () -> DirLayoutWriter.write(image, dir));
  }

  @Test
  void verifiedDigests_corruptBlob_namesIt() throws IOException {
    Image image = TestImage.singlePlatform(ImageFormat.OCI, 7, 100);
    Path dir = OciLayoutWriter.writeOciLayout(image, temp.resolve("oci"), "latest");
    String layer = image.blobDigests().get(0);
    Files.writeString(dir.resolve("blobs/sha256/" + Sha256.hex(layer)), "corrupt");

    IllegalStateException error =
        assertThrows(IllegalStateException.class, () -> OciLayoutReader.verifiedDigests(dir));
    assertEquals(true, error.getMessage().contains(layer), error.getMessage());
  }

  private static Set<String> allDigests(Image image) {
    Set<String> digests = new HashSet<>();
    image.allManifests().forEach(manifest -> digests.add(manifest.digest()));
    digests.addAll(image.blobDigests());
    return digests;
  }
}
