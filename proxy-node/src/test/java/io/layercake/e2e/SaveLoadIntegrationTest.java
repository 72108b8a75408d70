package io.layercake.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.layercake.cli.LayercakeCli;
import io.layercake.testkit.DirLayoutReader;
import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.FreePorts;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.Skopeo;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.TestNode;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Air-gapped seeding, end to end: {@code layercake save} on a node that pulled from upstream,
 * {@code layercake load} into an empty node whose upstream is gone, and skopeo then pulls every
 * image through the second node with the digests upstream had.
 */
class SaveLoadIntegrationTest {

  private static final String TOKEN = "save-load-token";

  @TempDir Path work;

  @Test
  void saveThenLoadIntoEmptyNode_upstreamStopped_skopeoPullsIdenticalDigests() {
    assumeTrue(Skopeo.isInstalled(), "needs skopeo (apt-get install skopeo)");
    Skopeo skopeo = Skopeo.create();
    Image docker = TestImage.builder(ImageFormat.DOCKER, 501).layer(400_000).layer(100_000).build();
    Image multi = TestImage.multiPlatform(ImageFormat.OCI, 502, 300_000);
    Path archive = work.resolve("images.tar");
    Path allPlatforms = work.resolve("multi.tar");
    Path directDocker = work.resolve("direct-docker");
    Path directMulti = work.resolve("direct-multi");

    try (FakeRegistry upstream = FakeRegistry.start()) {
      FakeImages.publish(upstream, "library/seeded", "1.0", docker);
      FakeImages.publish(upstream, "team/multi", "2", multi);
      String registry = upstream.url().substring("http://".length());
      skopeo.copyToDir(registry + "/library/seeded:1.0", directDocker, false);
      skopeo.copyToDir(registry + "/team/multi:2", directMulti, true);
      try (TestNode source = TestNode.start(work.resolve("source"), upstream.url(),
          Map.of("layercake.admin.token", TOKEN))) {
        Map<String, String> env = Map.of("LAYERCAKE_ADMIN_TOKEN", TOKEN, "LAYERCAKE_URL", source.url());
        LayercakeCli.Output saved = LayercakeCli.run(env, "save", "seeded:1.0", "-o", archive.toString());
        assertEquals(0, saved.status(), saved.err());
        LayercakeCli.Output savedAll = LayercakeCli.run(env, "save", "team/multi:2", "--platform", "all",
            "-o", allPlatforms.toString());
        assertEquals(0, savedAll.status(), savedAll.err());
      }
    }

    try (TestNode empty = TestNode.start(work.resolve("empty"), "http://127.0.0.1:" + FreePorts.next(),
        Map.of("layercake.admin.token", TOKEN))) {
      Map<String, String> env = Map.of("LAYERCAKE_ADMIN_TOKEN", TOKEN, "LAYERCAKE_URL", empty.url());
      LayercakeCli.Output loaded = LayercakeCli.run(env, "load", "-i", archive.toString());
      assertEquals(0, loaded.status(), loaded.err());
      assertEquals("Loaded image: seeded:1.0\n", loaded.out());
      LayercakeCli.Output loadedAll = LayercakeCli.run(env, "load", "-i", allPlatforms.toString());
      assertEquals(0, loadedAll.status(), loadedAll.err());
      assertTrue(loadedAll.out().contains("Loaded image: team/multi:2"), loadedAll.out());

      String mirror = empty.url().substring("http://".length());
      assertPulledIdentically(skopeo, mirror + "/library/seeded:1.0", docker, directDocker, false);
      assertPulledIdentically(skopeo, mirror + "/team/multi:2", multi, directMulti, true);
    }
  }

  private void assertPulledIdentically(Skopeo skopeo, String ref, Image image, Path direct, boolean all) {
    Path copy = work.resolve("through-" + ref.replaceAll("[^a-z0-9]", "-"));
    Skopeo.Result result = skopeo.copyToDir(ref, copy, all);
    assertEquals(0, result.exitCode(), result.stderr());
    assertEquals(image.digest(), skopeo.inspectDigest(ref));
    assertArrayEquals(image.manifest().bytes(), DirLayoutReader.topManifest(copy).bytes());
    Set<String> expected = new TreeSet<>(DirLayoutReader.verifiedDigests(direct));
    assertEquals(expected, new TreeSet<>(DirLayoutReader.verifiedDigests(copy)));
  }
}
