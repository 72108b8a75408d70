package io.layercake.eviction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.Glob;
import io.layercake.UpstreamName;
import io.layercake.oci.Digest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Planning removals over a cluster's catalog: shared blobs, dangling blobs, pins and busy blobs. */
class CatalogTest {

  private static String d(int i) {
    return "sha256:" + String.format("%064x", i);
  }

  private static CacheKeeper.BlobEntry blob(int i, long size, long lastAccess, String mediaType) {
    return new CacheKeeper.BlobEntry(d(i), size, mediaType, 10, lastAccess);
  }

  private static final String MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json";

  /**
   * Two images sharing layer 10: a:1 = manifest 1, config 2, layers 10 and 11; b:1 = manifest 3,
   * config 4, layers 10 and 12. Blob 20 is dangling. Nodes split the blobs.
   */
  private static Catalog catalog(List<String> busy, List<PinStore.Pin> pins) {
    CacheKeeper.Contents first = new CacheKeeper.Contents("http://n1",
        List.of(blob(1, 5, 100, MANIFEST_TYPE), blob(2, 10, 100, null), blob(10, 1000, 300, null),
            blob(20, 50, 5, null)),
        List.of(new CacheKeeper.TagEntry(UpstreamName.of("docker-hub"), "library/a", "1", d(1), 1)),
        List.of(new CacheKeeper.PullEntry(UpstreamName.of("docker-hub"), "library/a", "1", 2, 250)), busy, pins, true, null);
    CacheKeeper.Contents second = new CacheKeeper.Contents("http://n2",
        List.of(blob(3, 5, 200, MANIFEST_TYPE), blob(4, 10, 200, null), blob(11, 100, 100, null),
            blob(12, 200, 200, null)),
        List.of(new CacheKeeper.TagEntry(UpstreamName.of("docker-hub"), "library/b", "1", d(3), 1)),
        List.of(new CacheKeeper.PullEntry(UpstreamName.of("docker-hub"), "library/a", "1", 3, 150)), List.of(), List.of(), true, null);
    Map<Digest, ManifestReferences> manifests = Map.of(
        Digest.parse(d(1)), new ManifestReferences(List.of(), Digest.parse(d(2)),
            List.of(Digest.parse(d(2)), Digest.parse(d(10)), Digest.parse(d(11)))),
        Digest.parse(d(3)), new ManifestReferences(List.of(), Digest.parse(d(4)),
            List.of(Digest.parse(d(4)), Digest.parse(d(10)), Digest.parse(d(12)))));
    return Catalog.build(List.of(first, second), manifests);
  }

  private static Set<String> deleted(Catalog.Plan plan) {
    return Set.copyOf(plan.delete().stream().map(b -> b.digest().toString()).toList());
  }

  @Test
  void build_imageSizesAcrossNodes_andLastPull() {
    Catalog catalog = catalog(List.of(), List.of());
    CachedImage a = catalog.images().get(0);
    assertEquals("library/a:1", a.name());
    assertEquals(5 + 10 + 1000 + 100, a.size());
    assertEquals(5, a.pulls(), "each node's pulls of the tag, summed");
    assertEquals(250, a.lastPulled(), "the latest pull on any node");
    assertEquals(300, a.lastUsed(), "a layer served later (a pull by digest) counts as use");
    assertEquals("a", a.shortRepository());
  }

  @Test
  void build_imageNeverPulledByTag_showsNoPulls_butItsBlobsUse() {
    CachedImage b = catalog(List.of(), List.of()).images().get(1);
    assertEquals("library/b:1", b.name());
    assertEquals(0, b.pulls(), "serving its config or layers is no pull");
    assertEquals(0, b.lastPulled());
    assertEquals(300, b.lastUsed(), "layer 10, shared with a:1, was served at 300");
  }

  @Test
  void plan_removingOneImage_keepsSharedLayers() {
    Catalog catalog = catalog(List.of(), List.of());
    Catalog.Plan plan = catalog.plan(catalog.denoted(ImageName.parse("a:1", reference -> UpstreamName.of("docker-hub"))), false, b -> true, false);
    assertEquals(Set.of(d(1), d(2), d(11)), deleted(plan));
    assertEquals(115, plan.bytes());
  }

  @Test
  void plan_dangling_onlyUnreferencedBlobs() {
    Catalog catalog = catalog(List.of(), List.of());
    assertEquals(Set.of(d(20)), deleted(catalog.plan(List.of(), true, b -> true, false)));
    assertEquals(Set.of(), deleted(catalog.plan(List.of(), true, b -> b.lastAccess() < 5, false)));
  }

  @Test
  void plan_danglingWhileAnImagesManifestIsUnknown_deletesNothingDangling() {
    CacheKeeper.Contents node = new CacheKeeper.Contents("http://n1",
        List.of(blob(2, 10, 100, null), blob(10, 1000, 5, null)),
        List.of(new CacheKeeper.TagEntry(UpstreamName.of("docker-hub"), "library/a", "1", d(1), 1)), List.of(), List.of(), List.of(),
        true, null);
    // Manifest 1 was evicted and could not be read: its config and layer must not look dangling.
    Catalog catalog = Catalog.build(List.of(node), Map.of());

    assertEquals(Set.of(), deleted(catalog.plan(List.of(), true, b -> true, false)));
    assertEquals(false, catalog.referencesKnown());
  }

  @Test
  void plan_busyAndPinnedBlobs_stayUnlessForced() {
    PinStore.Pin pin = new PinStore.Pin("library/b:1", d(3), List.of(d(3), d(4), d(10), d(12)), 0,
        UpstreamName.of("docker-hub"));
    Catalog catalog = catalog(List.of(d(11)), List.of(pin));
    List<CachedImage> all = catalog.images();
    assertTrue(all.get(1).pinned());
    assertTrue(all.get(0).inUse());

    assertEquals(Set.of(d(1), d(2), d(20)), deleted(catalog.plan(all, true, b -> true, false)));
    assertEquals(Set.of(d(1), d(2), d(3), d(4), d(10), d(11), d(12), d(20)),
        deleted(catalog.plan(all, true, b -> true, true)));
  }

  @Test
  void matchesReference_shortAndFullNames() {
    CachedImage a = catalog(List.of(), List.of()).images().get(0);
    assertTrue(a.matchesReference(new Glob("a*"), Optional.empty()));
    assertTrue(a.matchesReference(new Glob("library/*"), Optional.empty()));
    assertTrue(a.matchesReference(new Glob("a:1"), Optional.empty()));
    assertEquals(false, a.matchesReference(new Glob("a:2"), Optional.empty()));
  }

  @Test
  void matchesReference_anotherRegistrysImage_needsItsHost() {
    CachedImage a = catalog(List.of(), List.of()).images().get(0);
    Optional<String> ghcr = Optional.of("ghcr.io");
    assertEquals("ghcr.io/library/a", a.familiarRepository(ghcr));
    assertTrue(a.matchesReference(new Glob("ghcr.io/*"), ghcr));
    assertTrue(a.matchesReference(new Glob("ghcr.io/library/a:1"), ghcr));
    assertTrue(a.matchesReference(new Glob("ghcr.io:443*"), Optional.of("ghcr.io:443")), "a port is no tag");
    assertEquals(false, a.matchesReference(new Glob("library/*"), ghcr), "without a host: Docker Hub's");
    assertEquals(false, a.matchesReference(new Glob("ghcr.io/*"), Optional.empty()));
  }

  @Test
  void build_tagKnownToTwoNodes_latestValidationWins() {
    CacheKeeper.Contents older = new CacheKeeper.Contents("http://n1", List.of(),
        List.of(new CacheKeeper.TagEntry(UpstreamName.of("docker-hub"), "library/a", "1", d(1), 1)), List.of(), List.of(), List.of(),
        true, null);
    CacheKeeper.Contents newer = new CacheKeeper.Contents("http://n2", List.of(),
        List.of(new CacheKeeper.TagEntry(UpstreamName.of("docker-hub"), "library/a", "1", d(5), 2)), List.of(), List.of(), List.of(),
        true, null);
    Catalog catalog = Catalog.build(List.of(older, newer), Map.of());
    assertEquals(1, catalog.images().size());
    assertEquals(Digest.parse(d(5)), catalog.images().get(0).manifest());
  }
}
