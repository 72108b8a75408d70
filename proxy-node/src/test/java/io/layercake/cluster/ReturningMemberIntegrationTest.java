package io.layercake.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.Address;
import akka.actor.typed.ActorSystem;
import io.layercake.oci.Digest;
import io.layercake.testkit.Await;
import io.layercake.testkit.Blob;
import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.FreePorts;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.TestCluster;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.TestNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Found by the fault schedule's rolling restart: while a node restarted (SIGTERM, then start on
 * its data), every blob that only it held and that a client asked for meanwhile was fetched from
 * upstream again by the shard's new owner. Here node B holds a blob, leaves gracefully and comes
 * back a few seconds later; a pull of that blob through A during its absence waits for it and is
 * copied from it: upstream serves the blob once in all.
 */
class ReturningMemberIntegrationTest {

  private static final String REPOSITORY = "library/returning";

  @TempDir Path work;

  @Test
  void blobOnlyOnALeavingNode_pulledWhileItRestarts_copiedFromItWhenBack_notFetchedAgain() throws Exception {
    int portA = FreePorts.next();
    int portB = FreePorts.next();
    int httpB = FreePorts.next();
    String seeds = "127.0.0.1:" + portA + ",127.0.0.1:" + portB;
    try (FakeRegistry upstream = FakeRegistry.start();
        TestNode a = TestNode.start(work.resolve("a"), upstream.url(), node(seeds, portA, FreePorts.next()))) {
      RegistryClient client = new RegistryClient(a.url());
      TestNode b = TestNode.start(work.resolve("b"), upstream.url(), node(seeds, portB, httpB));
      Blob onB = null;
      Image image;
      try {
        Await.until(Duration.ofSeconds(60), "both ready", () -> client.get("/readyz").statusCode() == 200
            && new RegistryClient(b.url()).get("/readyz").statusCode() == 200
            && upMembers(a) == 2 && upMembers(b) == 2);
        image = imageWithABlobPlacedOn(b, a);
        FakeImages.publish(upstream, REPOSITORY, "1", image);
        for (Blob blob : image.blobs()) {
          assertEquals(200, client.get("/v2/" + REPOSITORY + "/blobs/" + blob.digest()).statusCode());
        }
        for (Blob blob : image.blobs()) {
          Digest digest = Digest.parse(blob.digest());
          TestNode owner = b;
          Await.until(Duration.ofSeconds(10), "committed", () -> a.node().store().find(digest).isPresent()
              || owner.node().store().find(digest).isPresent());
          if (b.node().store().find(digest).isPresent() && a.node().store().find(digest).isEmpty()) {
            onB = blob;
          }
        }
      } finally {
        // A graceful stop: coordinated shutdown leaves the cluster (Exiting, then Removed).
        b.close();
      }
      assertTrue(onB != null, "no blob of the image was stored on B alone, though rendezvous hashing places one there");
      String path = "/v2/" + REPOSITORY + "/blobs/" + onB.digest();
      assertEquals(1, upstream.count("GET", "/blobs/" + onB.digest()));

      CompletableFuture<HttpResponse<byte[]>> whileAway = CompletableFuture.supplyAsync(() -> client.get(path));
      Thread.sleep(3000);
      try (TestNode back = TestNode.start(work.resolve("b"), upstream.url(), node(seeds, portB, httpB))) {
        HttpResponse<byte[]> pulled = whileAway.get(90, TimeUnit.SECONDS);
        assertEquals(200, pulled.statusCode(), new String(pulled.body()));
        assertEquals(onB.digest(), RegistryClient.digestOf(pulled.body()));
        assertEquals(1, upstream.count("GET", "/blobs/" + onB.digest()),
            "the blob was fetched from upstream again instead of copied from the returning node");
      }
    }
  }

  /**
   * An image one of whose blobs rendezvous hashing places on {@code owner}: the ports (and so the
   * member addresses) are random, so a fixed image would land wholly on the other node now and
   * then.
   */
  private static Image imageWithABlobPlacedOn(TestNode owner, TestNode other) {
    ActorSystem<?> system = owner.node().system();
    int shards = system.settings().config().getInt("akka.cluster.sharding.number-of-shards");
    List<Address> members = List.of(akka.cluster.typed.Cluster.get(system).selfMember().address(),
        akka.cluster.typed.Cluster.get(other.node().system()).selfMember().address());
    for (long seed = 91; ; seed++) {
      Image image = TestImage.singlePlatform(ImageFormat.OCI, seed, 20_000, 30_000, 40_000);
      for (Blob blob : image.blobs()) {
        String shard = ShardAllocation.blobShard(Digest.parse(blob.digest()), shards);
        if (ShardAllocation.preferredOwner(shard, members).orElseThrow().equals(members.get(0))) {
          return image;
        }
      }
    }
  }

  private static long upMembers(TestNode node) {
    return java.util.stream.StreamSupport.stream(
            akka.cluster.typed.Cluster.get(node.node().system()).state().getMembers().spliterator(), false)
        .filter(m -> m.status() == akka.cluster.MemberStatus.up())
        .count();
  }

  private static Map<String, Object> node(String seeds, int remoting, int http) {
    Map<String, Object> settings = new HashMap<>();
    settings.put("layercake.cluster.seed-nodes", seeds);
    settings.put("layercake.cluster.port", remoting);
    settings.put("layercake.cluster.secret", TestCluster.SECRET);
    settings.put("layercake.http.port", http);
    return settings;
  }
}
