package io.layercake.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestImageTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path temp;

  @Test
  void build_sameSeedTwice_sameBytes() {
    Image first =
        TestImage.builder(ImageFormat.OCI, 7)
            .sharedLayer(100)
            .layer(200, 300)
            .platforms(Platform.LINUX_AMD64, Platform.LINUX_ARM64)
            .build();
    Image second =
        TestImage.builder(ImageFormat.OCI, 7)
            .sharedLayer(100)
            .layer(200, 300)
            .platforms(Platform.LINUX_AMD64, Platform.LINUX_ARM64)
            .build();

    assertEquals(first.allManifests(), second.allManifests());
    assertEquals(first.blobs(), second.blobs());
  }

  @Test
  void build_differentSeeds_differentLayersAndConfigs() {
    Image first = TestImage.singlePlatform(ImageFormat.DOCKER, 1, 100);
    Image second = TestImage.singlePlatform(ImageFormat.DOCKER, 2, 100);

    assertNotEquals(first.digest(), second.digest());
    assertTrue(first.blobDigests().stream().noneMatch(second.blobDigests()::contains));
  }

  @Test
  void build_dockerFormat_usesDockerMediaTypes() throws IOException {
    Image image = TestImage.singlePlatform(ImageFormat.DOCKER, 3, 10);

    JsonNode manifest = JSON.readTree(image.manifest().bytes());
    assertEquals(MediaTypes.DOCKER_MANIFEST, image.manifest().mediaType());
    assertEquals(MediaTypes.DOCKER_MANIFEST, manifest.path("mediaType").asText());
    assertEquals(MediaTypes.DOCKER_CONFIG, manifest.path("config").path("mediaType").asText());
    assertEquals(
        MediaTypes.DOCKER_LAYER, manifest.path("layers").get(0).path("mediaType").asText());
    assertFalse(image.isMultiPlatform());
  }

  @Test
  void build_ociMultiPlatform_indexNamesEachPlatformManifest() throws IOException {
    Image image = TestImage.multiPlatform(ImageFormat.OCI, 4, 10);

    JsonNode index = JSON.readTree(image.manifest().bytes());
    assertEquals(MediaTypes.OCI_INDEX, image.manifest().mediaType());
    assertEquals(MediaTypes.OCI_INDEX, index.path("mediaType").asText());
    assertEquals(2, index.path("manifests").size());
    for (int i = 0; i < 2; i++) {
      PlatformManifest child = image.platformManifests().get(i);
      JsonNode entry = index.path("manifests").get(i);
      assertEquals(child.manifest().digest(), entry.path("digest").asText());
      assertEquals(child.manifest().size(), entry.path("size").asLong());
      assertEquals(MediaTypes.OCI_MANIFEST, entry.path("mediaType").asText());
      assertEquals(
          child.platform().architecture(), entry.path("platform").path("architecture").asText());
      JsonNode config = configOf(image, child.manifest());
      assertEquals(child.platform().architecture(), config.path("architecture").asText());
      assertEquals("linux", config.path("os").asText());
    }
    assertEquals("v8", index.path("manifests").get(1).path("platform").path("variant").asText());
  }

  @Test
  void build_dockerMultiPlatform_isManifestList() {
    Image image = TestImage.multiPlatform(ImageFormat.DOCKER, 5, 10);

    assertEquals(MediaTypes.DOCKER_MANIFEST_LIST, image.manifest().mediaType());
    assertEquals(3, image.allManifests().size());
    assertTrue(image.manifestFor(Platform.LINUX_ARM64).isPresent());
  }

  @Test
  void build_layer_isGzipTarWhoseDigestIsTheDiffId() throws IOException {
    Image image = TestImage.singlePlatform(ImageFormat.OCI, 6, 0, 1, 511, 512, 513, 70_000);
    Blob layer = layerBlobs(image).get(0);

    byte[] tar = new GZIPInputStream(new ByteArrayInputStream(layer.bytes())).readAllBytes();
    Map<String, Long> entries = tarEntries(tar);

    assertEquals(
        Sha256.digest(tar),
        configOf(image, image.manifest()).path("rootfs").path("diff_ids").get(0).asText());
    assertEquals(
        List.of(
            "layercake/",
            "layercake/file-000.bin",
            "layercake/file-001.bin",
            "layercake/file-002.bin",
            "layercake/file-003.bin",
            "layercake/file-004.bin",
            "layercake/file-005.bin"),
        List.copyOf(entries.keySet()));
    assertEquals(List.of(0L, 0L, 1L, 511L, 512L, 513L, 70_000L), List.copyOf(entries.values()));
  }

  @Test
  void build_sharedLayer_isOneBlobReferencedByEveryPlatform() throws IOException {
    Image image =
        TestImage.builder(ImageFormat.OCI, 8)
            .sharedLayer(1000)
            .layer(10)
            .platforms(Platform.LINUX_AMD64, Platform.LINUX_ARM64)
            .build();

    String amd64Base = layerDigests(image.manifestFor(Platform.LINUX_AMD64).orElseThrow()).get(0);
    String arm64Base = layerDigests(image.manifestFor(Platform.LINUX_ARM64).orElseThrow()).get(0);
    String amd64Top = layerDigests(image.manifestFor(Platform.LINUX_AMD64).orElseThrow()).get(1);
    String arm64Top = layerDigests(image.manifestFor(Platform.LINUX_ARM64).orElseThrow()).get(1);
    assertEquals(amd64Base, arm64Base);
    assertNotEquals(amd64Top, arm64Top);
    // one shared layer, two per-platform layers, two configs
    assertEquals(5, image.blobs().size());
  }

  @Test
  void build_largeLayer_streamsToFileWithMatchingDigests() throws IOException {
    long fileSize = 3L << 20;
    Image image = TestImage.builder(ImageFormat.DOCKER, 9).largeLayer(fileSize, temp).build();

    LargeBlob layer = image.largeBlobs().get(0);
    assertEquals(Files.size(layer.file()), layer.size());
    assertEquals(layer.digest(), digestOf(Files.newInputStream(layer.file())));
    String diffId = digestOf(new GZIPInputStream(Files.newInputStream(layer.file())));
    assertEquals(
        diffId, configOf(image, image.manifest()).path("rootfs").path("diff_ids").get(0).asText());
    assertTrue(layer.size() > fileSize);
    assertEquals(List.of(layer.digest()), layerDigests(image.manifest()));
  }

  @Test
  void writeRandom_sameSeed_sameDigestAndSize() {
    LargeBlob first =
        LargeBlob.writeRandom(temp.resolve("a"), 200_000, 42, MediaTypes.OCTET_STREAM);
    LargeBlob second =
        LargeBlob.writeRandom(temp.resolve("b"), 200_000, 42, MediaTypes.OCTET_STREAM);

    assertEquals(first.digest(), second.digest());
    assertEquals(200_000, first.size());
  }

  @Test
  void blob_bytesNotMatchingDigest_isRejected() {
    byte[] bytes = "content".getBytes(StandardCharsets.UTF_8);
    String otherDigest = Sha256.digest("other".getBytes(StandardCharsets.UTF_8));

    assertThrows(
        IllegalArgumentException.class,
        () -> new Blob(otherDigest, MediaTypes.OCTET_STREAM, bytes));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Manifest("sha256:abc", MediaTypes.OCI_MANIFEST, bytes));
  }

  @Test
  void platforms_duplicate_isRejected() {
    TestImage.Builder builder = TestImage.builder(ImageFormat.OCI, 1);

    assertThrows(
        IllegalArgumentException.class,
        () -> builder.platforms(Platform.LINUX_AMD64, Platform.LINUX_AMD64));
  }

  private static JsonNode configOf(Image image, Manifest manifest) throws IOException {
    String digest = JSON.readTree(manifest.bytes()).path("config").path("digest").asText();
    return JSON.readTree(image.findBlob(digest).orElseThrow().bytes());
  }

  private static List<String> layerDigests(Manifest manifest) throws IOException {
    List<String> digests = new ArrayList<>();
    JSON.readTree(manifest.bytes())
        .path("layers")
        .forEach(layer -> digests.add(layer.path("digest").asText()));
    return digests;
  }

  private static List<Blob> layerBlobs(Image image) throws IOException {
    List<Blob> layers = new ArrayList<>();
    for (String digest : layerDigests(image.manifest())) {
      layers.add(image.findBlob(digest).orElseThrow());
    }
    return layers;
  }

  /** Entry names and sizes of a ustar archive, checking each header's checksum. */
  private static Map<String, Long> tarEntries(byte[] tar) {
    Map<String, Long> entries = new LinkedHashMap<>();
    int offset = 0;
    while (tar[offset] != 0) {
      byte[] header = java.util.Arrays.copyOfRange(tar, offset, offset + 512);
      String name = field(header, 0, 100);
      long size = Long.parseLong(field(header, 124, 12), 8);
      long checksum = Long.parseLong(field(header, 148, 8).trim(), 8);
      java.util.Arrays.fill(header, 148, 156, (byte) ' ');
      long sum = 0;
      for (byte b : header) {
        sum += b & 0xff;
      }
      assertEquals(sum, checksum, "checksum of " + name);
      assertEquals("ustar", field(header, 257, 6));
      entries.put(name, size);
      offset += 512 + (int) ((size + 511) / 512 * 512);
    }
    assertArrayEquals(new byte[1024], java.util.Arrays.copyOfRange(tar, offset, offset + 1024));
    return entries;
  }

  private static String field(byte[] header, int offset, int length) {
    int end = offset;
    while (end < offset + length && header[end] != 0) {
      end++;
    }
    return new String(header, offset, end - offset, StandardCharsets.US_ASCII);
  }

  private static String digestOf(InputStream in) throws IOException {
    MessageDigest sha = Sha256.newMessageDigest();
    try (InputStream digesting = new DigestInputStream(in, sha)) {
      digesting.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return Sha256.format(sha);
  }
}
