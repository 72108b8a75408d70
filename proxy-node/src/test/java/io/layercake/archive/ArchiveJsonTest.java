package io.layercake.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.MediaType;
import io.layercake.oci.OciException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ArchiveJsonTest {

  private static final Digest TOP = Digest.parse("sha256:" + "1".repeat(64));
  private static final Digest CONFIG = Digest.parse("sha256:" + "2".repeat(64));
  private static final Digest LAYER = Digest.parse("sha256:" + "3".repeat(64));

  private static final SavedImage IMAGE = new SavedImage(Optional.of("docker.io/library/redis:7"),
      Optional.of("redis:7"), Optional.of("7"), new Descriptor(MediaType.OCI_INDEX, TOP, 500),
      new Descriptor(ArchiveJson.OCI_CONFIG, CONFIG, 20), List.of(new Descriptor(ArchiveJson.OCI_LAYER_TAR_GZIP, LAYER, 30)));

  @Test
  void index_parsesBackWithNames() {
    List<ArchiveJson.IndexEntry> entries = ArchiveJson.parseIndex(ArchiveJson.index(List.of(IMAGE)),
        ArchiveJson.Budget.UNLIMITED);

    assertEquals(1, entries.size());
    assertEquals(IMAGE.top(), entries.get(0).descriptor());
    assertEquals(Optional.of("docker.io/library/redis:7"), entries.get(0).imageName());
    assertEquals(Optional.of("7"), entries.get(0).refName());
  }

  @Test
  void dockerManifest_parsesBackWithBlobPaths() {
    List<ArchiveJson.DockerEntry> entries = ArchiveJson.parseDockerManifest(
        ArchiveJson.dockerManifest(List.of(IMAGE)), ArchiveJson.Budget.UNLIMITED);

    assertEquals(new ArchiveJson.DockerEntry("blobs/sha256/" + CONFIG.hex(), List.of("redis:7"),
        List.of("blobs/sha256/" + LAYER.hex())), entries.get(0));
  }

  @Test
  void buildManifest_referencesParseBack() {
    byte[] manifest = ArchiveJson.buildManifest(IMAGE.config(), IMAGE.layers());

    ArchiveJson.References references = ArchiveJson.references(MediaType.OCI_MANIFEST, manifest);

    assertEquals(Optional.of(IMAGE.config()), references.config());
    assertEquals(IMAGE.layers(), references.layers());
    assertTrue(new String(manifest, StandardCharsets.UTF_8).startsWith("{\"schemaVersion\":2,"));
  }

  @Test
  void digestOfPath_onlyBlobPaths() {
    assertEquals(Optional.of(LAYER), ArchiveJson.digestOfPath("blobs/sha256/" + LAYER.hex()));
    assertEquals(Optional.empty(), ArchiveJson.digestOfPath("blobs/sha256/xyz"));
    assertEquals(Optional.empty(), ArchiveJson.digestOfPath(LAYER.hex() + "/layer.tar"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "not json", "{}", "{\"manifests\":{}}",
      "{\"manifests\":[{\"mediaType\":\"x\",\"digest\":\"sha256:1\",\"size\":1}]}",
      "{\"manifests\":[{\"mediaType\":\"x\",\"size\":1}]}"})
  void parseIndex_invalid_throwsBlobUploadInvalid(String json) {
    OciException error = assertThrows(OciException.class,
        () -> ArchiveJson.parseIndex(json.getBytes(StandardCharsets.UTF_8), ArchiveJson.Budget.UNLIMITED));

    assertEquals(ErrorCode.BLOB_UPLOAD_INVALID, error.code());
  }

  @Test
  void references_schema1Manifest_isRefused() {
    byte[] schema1 = "{\"schemaVersion\":1,\"fsLayers\":[]}".getBytes(StandardCharsets.UTF_8);

    assertThrows(OciException.class, () -> ArchiveJson.references(MediaType.DOCKER_MANIFEST_V1, schema1));
  }

  @Test
  void buildManifest_sameBytesAsTheTreeWriterWrote() {
    // Loads of legacy archives must keep giving the manifest digests they gave before.
    byte[] manifest = ArchiveJson.buildManifest(IMAGE.config(), IMAGE.layers());

    assertEquals("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":"
        + "{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + CONFIG + "\",\"size\":20},"
        + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + LAYER
        + "\",\"size\":30}]}", new String(manifest, StandardCharsets.UTF_8));
  }

  @Test
  void parseIndex_sixteenMegabytesOfEmptyObjects_refusedAtTheFirst() {
    // As a tree this was millions of nodes, hundreds of MB, before anything could check them.
    byte[] json = ("{\"manifests\":[" + "{},".repeat(5_000_000) + "{}]}").getBytes(StandardCharsets.UTF_8);
    List<Long> charges = new ArrayList<>();

    OciException error = assertThrows(OciException.class, () -> ArchiveJson.parseIndex(json, charges::add));

    assertTrue(error.getMessage().contains("descriptor without a valid mediaType"), error.getMessage());
    assertEquals(List.of(), charges);
  }

  @Test
  void parseIndex_everyKeptDescriptorCharged_andABudgetThatThrowsStopsTheParse() {
    String descriptor = "{\"mediaType\":\"m\",\"digest\":\"" + LAYER + "\",\"size\":1,\"unknown\":[1,2,3]}";
    byte[] json = ("{\"manifests\":[" + String.join(",", Collections.nCopies(1000, descriptor)) + "]}")
        .getBytes(StandardCharsets.UTF_8);
    long[] charged = {0};

    OciException error = assertThrows(OciException.class, () -> ArchiveJson.parseIndex(json, bytes -> {
      charged[0] += bytes;
      if (charged[0] > 10 * ArchiveJson.DESCRIPTOR_COST) {
        throw new OciException(ErrorCode.BLOB_UPLOAD_INVALID, "over", null);
      }
    }));

    assertEquals("over", error.getMessage());
    assertTrue(charged[0] < 12 * (ArchiveJson.DESCRIPTOR_COST + ArchiveJson.stringCost("m")));
  }

  @Test
  void references_nestedTenThousandDeep_refusedNotAStackOverflow() {
    byte[] json = ("{\"config\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}").getBytes(StandardCharsets.UTF_8);

    OciException error = assertThrows(OciException.class, () -> ArchiveJson.references(MediaType.OCI_MANIFEST, json));

    assertEquals(ErrorCode.BLOB_UPLOAD_INVALID, error.code());
  }

  @Test
  void parseDockerManifest_hugeStringSkippedUnlessKept() {
    String huge = "x".repeat(1 << 20);
    byte[] skipped = ("[{\"Config\":\"c.json\",\"Comment\":\"" + huge + "\",\"Layers\":[]}]")
        .getBytes(StandardCharsets.UTF_8);
    byte[] kept = ("[{\"Config\":\"" + huge + "\",\"Layers\":[]}]").getBytes(StandardCharsets.UTF_8);

    assertEquals("c.json", parseDockerManifest(skipped).get(0).config());
    OciException error = assertThrows(OciException.class, () -> parseDockerManifest(kept));
    assertTrue(error.getMessage().contains("JSON limits"), error.getMessage());
  }

  @Test
  void parseDockerManifest_repoTagsNull_noNames() {
    byte[] json = "[{\"Config\":\"c.json\",\"RepoTags\":null,\"Layers\":[\"l\"]}]".getBytes(StandardCharsets.UTF_8);

    assertEquals(new ArchiveJson.DockerEntry("c.json", List.of(), List.of("l")), parseDockerManifest(json).get(0));
  }

  @ParameterizedTest
  @ValueSource(strings = {"[{\"Config\":\"c\",\"RepoTags\":[1],\"Layers\":[]}]", "[{\"Config\":\"c\"}]",
      "[{\"Config\":\"c\",\"Layers\":[{}]}]", "[1]", "{}", "[{\"Config\":5,\"Layers\":[]}]", "[{\"Config\":\"c\","})
  void parseDockerManifest_invalid_throwsBlobUploadInvalid(String json) {
    OciException error = assertThrows(OciException.class,
        () -> parseDockerManifest(json.getBytes(StandardCharsets.UTF_8)));

    assertEquals(ErrorCode.BLOB_UPLOAD_INVALID, error.code());
  }

  private static List<ArchiveJson.DockerEntry> parseDockerManifest(byte[] json) {
    return ArchiveJson.parseDockerManifest(json, ArchiveJson.Budget.UNLIMITED);
  }
}
