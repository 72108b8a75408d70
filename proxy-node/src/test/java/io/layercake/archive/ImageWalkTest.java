package io.layercake.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.ManifestContent;
import io.layercake.oci.MediaType;
import io.layercake.oci.OciException;
import io.layercake.testkit.Sha256;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The walk from an image's top down to its blobs, over a fake archive whose manifests are named by
 * made-up digests, so that shapes content addressing forbids (cycles) can be built too.
 */
class ImageWalkTest {

  /** The setting the walk names when an archive nests too deep (admin's, passed in). */
  private static final String DEPTH_KEY = "layercake.admin.images.max-index-depth";

  private final FakeArchive archive = new FakeArchive();

  @Test
  void add_diamondsFortyLevelsDeep_readsEachManifestOnce() {
    // Two indexes per level, each naming both of the level below: 2^40 paths to the image.
    Descriptor below = archive.image("image");
    List<Descriptor> level = List.of(below);
    for (int depth = 1; depth <= 40; depth++) {
      level = List.of(archive.index("a" + depth, level), archive.index("b" + depth, level));
    }
    Descriptor top = archive.index("top", level);
    ImageWalk walk = new ImageWalk(archive, 64, DEPTH_KEY);

    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> walk.add(top));

    assertEquals(82, archive.reads, "40 x 2 indexes, the top and the image, once each");
    assertEquals(82, walk.manifests().size());
    assertEquals(2, walk.blobs().size(), "config and layer");
  }

  @Test
  void add_nestedDeeperThanTheLimit_refusedNamingTheKey() {
    Descriptor top = archive.image("image");
    for (int depth = 1; depth <= 40; depth++) {
      top = archive.index("level" + depth, List.of(top, top));
    }
    Descriptor forty = top;

    OciException error = assertThrows(OciException.class, () -> new ImageWalk(archive, 8, DEPTH_KEY).add(forty));

    assertEquals(ErrorCode.BLOB_UPLOAD_INVALID, error.code());
    assertTrue(error.getMessage().contains("deeper than 8"), error.getMessage());
    assertTrue(error.getMessage().contains("layercake.admin.images.max-index-depth"), error.getMessage());
    assertEquals(9, archive.reads, "refused on the way down, at the ninth index");
  }

  @Test
  void add_nestedExactlyAtTheLimit_walks() {
    Descriptor top = archive.image("image");
    for (int depth = 1; depth <= 8; depth++) {
      top = archive.index("level" + depth, List.of(top));
    }

    ImageWalk.Walked walked = new ImageWalk(archive, 8, DEPTH_KEY).add(top);

    assertEquals(Optional.empty(), walked.config());
  }

  @Test
  void add_indexNamingItself_refusedAsACycle() {
    Descriptor self = archive.descriptorOf("self", MediaType.OCI_INDEX);
    archive.define(self, List.of(self, archive.image("image")));

    OciException error = assertThrows(OciException.class, () -> new ImageWalk(archive, 8, DEPTH_KEY).add(self));

    assertEquals(ErrorCode.BLOB_UPLOAD_INVALID, error.code());
    assertTrue(error.getMessage().contains("leads back to it"), error.getMessage());
  }

  @Test
  void add_cycleThroughAnotherIndex_refusedAsACycle() {
    Descriptor first = archive.descriptorOf("first", MediaType.OCI_INDEX);
    Descriptor second = archive.index("second", List.of(first));
    archive.define(first, List.of(second));

    OciException error = assertThrows(OciException.class, () -> new ImageWalk(archive, 8, DEPTH_KEY).add(first));

    assertTrue(error.getMessage().contains("leads back to it"), error.getMessage());
    assertTrue(error.getMessage().contains(first.digest() + " -> " + second.digest() + " -> " + first.digest()),
        error.getMessage());
  }

  @Test
  void add_sameTopTwice_walkedOnce() {
    Descriptor top = archive.index("top", List.of(archive.image("image")));
    ImageWalk walk = new ImageWalk(archive, 8, DEPTH_KEY);

    walk.add(top);
    walk.add(top);

    assertEquals(2, archive.reads);
    assertEquals(2, walk.manifests().size());
  }

  @Test
  void add_indexOfManifestsTheArchiveLacks_refused() {
    Descriptor missing = archive.descriptorOf("missing", MediaType.OCI_MANIFEST);
    Descriptor top = archive.index("top", List.of(missing));

    OciException error = assertThrows(OciException.class, () -> new ImageWalk(archive, 8, DEPTH_KEY).add(top));

    assertTrue(error.getMessage().contains("none of the manifests"), error.getMessage());
  }

  /** Manifests by made-up digest; each blob is "there" with the size asked. Counts manifest reads. */
  private static final class FakeArchive implements ImageWalk.Source {
    private final Map<Digest, ArchiveJson.References> references = new HashMap<>();
    private final Map<Digest, Descriptor> descriptors = new HashMap<>();
    int reads;

    Descriptor descriptorOf(String name, String mediaType) {
      Descriptor descriptor = new Descriptor(mediaType, digestOf(name), 100);
      descriptors.put(descriptor.digest(), descriptor);
      return descriptor;
    }

    void define(Descriptor index, List<Descriptor> children) {
      references.put(index.digest(), new ArchiveJson.References(new ArrayList<>(children), Optional.empty(), List.of()));
    }

    Descriptor index(String name, List<Descriptor> children) {
      Descriptor index = descriptorOf(name, MediaType.OCI_INDEX);
      define(index, children);
      return index;
    }

    Descriptor image(String name) {
      Descriptor manifest = descriptorOf(name, MediaType.OCI_MANIFEST);
      references.put(manifest.digest(), new ArchiveJson.References(List.of(),
          Optional.of(new Descriptor(ArchiveJson.OCI_CONFIG, digestOf(name + "-config"), 10)),
          List.of(new Descriptor(ArchiveJson.OCI_LAYER_TAR, digestOf(name + "-layer"), 20))));
      return manifest;
    }

    @Override
    public boolean has(Digest digest) {
      return references.containsKey(digest);
    }

    @Override
    public ManifestContent manifest(Descriptor descriptor) {
      reads++;
      return new ManifestContent(descriptor.digest(), descriptor.mediaType(), new byte[100]);
    }

    @Override
    public ArchiveJson.References references(ManifestContent manifest) {
      return references.get(manifest.digest());
    }

    @Override
    public void need(Descriptor blob, ManifestContent manifest) {}

    private static Digest digestOf(String name) {
      return Digest.parse(Sha256.digest(name.getBytes(StandardCharsets.UTF_8)));
    }
  }
}
