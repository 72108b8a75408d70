package io.layercake.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.MediaType;
import io.layercake.oci.OciException;
import java.nio.charset.StandardCharsets;
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
    List<ArchiveJson.IndexEntry> entries = ArchiveJson.parseIndex(ArchiveJson.index(List.of(IMAGE)));

    assertEquals(1, entries.size());
    assertEquals(IMAGE.top(), entries.get(0).descriptor());
    assertEquals(Optional.of("docker.io/library/redis:7"), entries.get(0).imageName());
    assertEquals(Optional.of("7"), entries.get(0).refName());
  }

  @Test
  void dockerManifest_parsesBackWithBlobPaths() {
    List<ArchiveJson.DockerEntry> entries = ArchiveJson.parseDockerManifest(ArchiveJson.dockerManifest(List.of(IMAGE)));

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
        () -> ArchiveJson.parseIndex(json.getBytes(StandardCharsets.UTF_8)));

    assertEquals(ErrorCode.BLOB_UPLOAD_INVALID, error.code());
  }

  @Test
  void references_schema1Manifest_isRefused() {
    byte[] schema1 = "{\"schemaVersion\":1,\"fsLayers\":[]}".getBytes(StandardCharsets.UTF_8);

    assertThrows(OciException.class, () -> ArchiveJson.references(MediaType.DOCKER_MANIFEST_V1, schema1));
  }
}
