package io.layercake.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class MediaTypeTest {

  /** The values are protocol: a typo here breaks every client, so they are pinned literally. */
  @Test
  void constants_matchTheSpecifications() {
    assertEquals("application/vnd.oci.image.index.v1+json", MediaType.OCI_INDEX);
    assertEquals("application/vnd.oci.image.manifest.v1+json", MediaType.OCI_MANIFEST);
    assertEquals(
        "application/vnd.docker.distribution.manifest.list.v2+json", MediaType.DOCKER_MANIFEST_LIST);
    assertEquals("application/vnd.docker.distribution.manifest.v2+json", MediaType.DOCKER_MANIFEST);
    assertEquals(
        "application/vnd.docker.distribution.manifest.v1+prettyjws",
        MediaType.DOCKER_MANIFEST_V1_SIGNED);
    assertEquals("application/vnd.docker.distribution.manifest.v1+json", MediaType.DOCKER_MANIFEST_V1);
    assertEquals("application/octet-stream", MediaType.OCTET_STREAM);
  }

  @Test
  void isIndex_indexTypes() {
    assertTrue(MediaType.isIndex(MediaType.OCI_INDEX));
    assertTrue(MediaType.isIndex(MediaType.DOCKER_MANIFEST_LIST));
  }

  @Test
  void isIndex_singleManifests() {
    assertFalse(MediaType.isIndex(MediaType.OCI_MANIFEST));
    assertFalse(MediaType.isIndex(MediaType.DOCKER_MANIFEST));
    assertFalse(MediaType.isIndex(MediaType.DOCKER_MANIFEST_V1));
    assertFalse(MediaType.isIndex(MediaType.DOCKER_MANIFEST_V1_SIGNED));
    assertFalse(MediaType.isIndex(MediaType.OCTET_STREAM));
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {
      " ", "application/json", "*/*", "application/*",
      "APPLICATION/VND.OCI.IMAGE.INDEX.V1+JSON",
      "application/vnd.oci.image.index.v1+json; charset=utf-8",
      " application/vnd.oci.image.index.v1+json",
      "application/vnd.oci.image.index.v1+json\0",
      "application/vnd.oci.image.index.v2+json",
      "application/vnd.docker.distribution.manifest.list.v2+json\n"})
  void isIndex_otherStrings(String text) {
    assertFalse(MediaType.isIndex(text));
  }

  @Test
  void isManifestType_everyManifestType() {
    for (String type : MediaType.ALL_MANIFESTS) {
      assertTrue(MediaType.isManifestType(type), type);
    }
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {
      "application/octet-stream", "application/json", "*/*",
      "application/vnd.oci.image.config.v1+json",
      "application/vnd.docker.container.image.v1+json",
      "application/vnd.oci.image.layer.v1.tar+gzip",
      "application/vnd.docker.image.rootfs.diff.tar.gzip",
      "APPLICATION/VND.OCI.IMAGE.MANIFEST.V1+JSON",
      "application/vnd.oci.image.manifest.v1+json; charset=utf-8",
      "application/vnd.oci.image.manifest.v1+json "})
  void isManifestType_otherStrings(String text) {
    assertFalse(MediaType.isManifestType(text));
  }

  /** Regression: {@code List.of(...).contains(null)} throws, so a missing type used to fail. */
  @Test
  void isManifestType_null() {
    assertFalse(MediaType.isManifestType(null));
  }

  @Test
  void allManifests_holdsEveryManifestTypeOnce() {
    List<String> expected = List.of(
        MediaType.OCI_INDEX, MediaType.DOCKER_MANIFEST_LIST, MediaType.OCI_MANIFEST,
        MediaType.DOCKER_MANIFEST, MediaType.DOCKER_MANIFEST_V1_SIGNED, MediaType.DOCKER_MANIFEST_V1);

    assertEquals(new HashSet<>(expected), new HashSet<>(MediaType.ALL_MANIFESTS));
    assertEquals(expected.size(), MediaType.ALL_MANIFESTS.size());
    assertFalse(MediaType.ALL_MANIFESTS.contains(MediaType.OCTET_STREAM));
  }

  @Test
  void allManifests_isImmutable() {
    assertThrows(UnsupportedOperationException.class, () -> MediaType.ALL_MANIFESTS.add("x"));
    assertThrows(UnsupportedOperationException.class, MediaType.ALL_MANIFESTS::clear);
  }

  @Test
  void isIndex_impliesManifestType() {
    for (String type : MediaType.ALL_MANIFESTS) {
      if (MediaType.isIndex(type)) {
        assertTrue(MediaType.isManifestType(type), type);
      }
    }
  }
}
