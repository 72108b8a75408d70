package io.layercake.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.layercake.testkit.DebianRegistry;
import io.layercake.testkit.DirLayoutReader;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.Skopeo;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.TestNode;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real clients against a real upstream: Debian's docker-registry plays Docker Hub, skopeo pulls
 * through layercake, and everything must match a direct pull byte for byte. A second pull must
 * not reach the upstream for any blob (counted in the upstream's access log).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SkopeoPullThroughIntegrationTest {

  @TempDir static Path work;
  private DebianRegistry upstream;
  private TestNode node;
  private final Skopeo skopeo = Skopeo.create();

  @BeforeAll
  void start() {
    assumeTrue(DebianRegistry.isInstalled() && Skopeo.isInstalled(),
        "needs Debian's docker-registry and skopeo (apt-get install docker-registry skopeo)");
    upstream = new DebianRegistry(work.resolve("upstream")).start();
    node = TestNode.start(work.resolve("data"), upstream.url());
  }

  @AfterAll
  void stop() {
    if (node != null) {
      node.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  @Test
  void dockerSchema2Image_pullsThroughWithIdenticalDigests() {
    Image image = TestImage.singlePlatform(ImageFormat.DOCKER, 21, 1 << 20, 3 << 20);
    pullTwiceAndCompare(image, "library/docker-single:1", false);
  }

  @Test
  void ociImage_pullsThroughWithIdenticalDigests() {
    Image image = TestImage.singlePlatform(ImageFormat.OCI, 22, 2 << 20);
    pullTwiceAndCompare(image, "library/oci-single:1", false);
  }

  @Test
  void multiPlatformIndex_pullsThroughWithAll() {
    Image image = TestImage.multiPlatform(ImageFormat.OCI, 23, 1 << 20);
    pullTwiceAndCompare(image, "library/oci-multi:1", true);
  }

  @Test
  void dockerManifestList_pullsThroughWithAll() {
    Image image = TestImage.multiPlatform(ImageFormat.DOCKER, 24, 1 << 20);
    pullTwiceAndCompare(image, "library/docker-multi:1", true);
  }

  private void pullTwiceAndCompare(Image image, String repoAndTag, boolean all) {
    Skopeo.push(image, upstream.url(), repoAndTag);
    String direct = upstream.hostPort() + "/" + repoAndTag;
    String mirrored = node.url().substring("http://".length()) + "/" + repoAndTag;
    String repo = repoAndTag.substring(0, repoAndTag.indexOf(':'));

    Path directCopy = work.resolve("direct-" + repo.replace('/', '-'));
    skopeo.copyToDir(direct, directCopy, all);
    long blobGetsBefore = blobGets(repo);
    Path firstCopy = work.resolve("first-" + repo.replace('/', '-'));
    skopeo.copyToDir(mirrored, firstCopy, all);

    assertArrayEquals(skopeo.inspectRaw(direct), skopeo.inspectRaw(mirrored), "top manifest bytes");
    assertEquals(image.digest(), skopeo.inspectDigest(mirrored));
    Set<String> expected = new TreeSet<>(DirLayoutReader.verifiedDigests(directCopy));
    assertEquals(expected, new TreeSet<>(DirLayoutReader.verifiedDigests(firstCopy)));
    long firstPullBlobGets = upstream.awaitRequests("GET", "/v2/" + repo + "/blobs/.*",
        blobGetsBefore + image.blobDigests().size(), java.time.Duration.ofSeconds(10)) - blobGetsBefore;
    assertEquals(image.blobDigests().size(), firstPullBlobGets, "first pull: one upstream GET per blob");

    long before = blobGets(repo);
    Path secondCopy = work.resolve("second-" + repo.replace('/', '-'));
    skopeo.copyToDir(mirrored, secondCopy, all);
    assertEquals(expected, new TreeSet<>(DirLayoutReader.verifiedDigests(secondCopy)));
    assertEquals(before, blobGets(repo), "second pull: no upstream blob request");
  }

  private long blobGets(String repo) {
    return upstream.countRequests("GET", "/v2/" + repo + "/blobs/.*");
  }
}
