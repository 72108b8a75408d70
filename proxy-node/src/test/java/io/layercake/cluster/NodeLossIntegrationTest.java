package io.layercake.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.testkit.Await;
import io.layercake.testkit.ClusterReport;
import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Fault;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.MirrorClient;
import io.layercake.testkit.NodeProcessCluster;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.StoredBlobs;
import io.layercake.testkit.TestImage;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code kill -9} of one node of three while ten clients pull (issue 3, acceptance 3): the two
 * others keep serving, clients that retry on another mirror finish with correct digests, what
 * lived only on the dead node is fetched upstream once more at most, the survivors report two
 * members once the split brain resolver has downed it, and the node restarted on its data folder
 * and ports rejoins and serves its blobs without asking upstream for them. The node killed is the
 * one holding the most committed blobs at that moment, while the larger layers are still filling.
 */
class NodeLossIntegrationTest {

  private static final Logger log = LoggerFactory.getLogger(NodeLossIntegrationTest.class);

  private static final String REPOSITORY = "library/node-loss";
  private static final int LAYERS = 10;
  private static final int CLIENTS = 10;
  /** Upstream body rate per response: the layers (0.6 to 3.3 MB) take 0.6 to 3.3 s to fill. */
  private static final long UPSTREAM_BYTES_PER_SECOND = 1_000_000;
  /** Image blobs committed somewhere before the kill: the rest are still filling then. */
  private static final int COMMITTED_BEFORE_KILL = 4;
  private static final MirrorClient.Policy DOCKER_LIKE = new MirrorClient.Policy(
      12, Duration.ofSeconds(30), Duration.ofMillis(500), Duration.ofSeconds(3));

  @TempDir Path work;

  @Test
  void killOneOfThreeDuringPulls_survivorsServe_clientsFinish_lostBlobsRefetchedOnce_restartedNodeReusesItsBlobs()
      throws Exception {
    long testStarted = System.nanoTime();
    TestImage.Builder builder = TestImage.builder(ImageFormat.DOCKER, 3303);
    for (int i = 0; i < LAYERS; i++) {
      builder.layer(600_000 + i * 300_000L);
    }
    Image image = builder.build();
    Set<String> imageBlobs = new TreeSet<>(image.blobDigests());

    try (FakeRegistry upstream = FakeRegistry.start(FakeRegistry.Options.defaults().tokenAuth(true));
        // A blob request for a shard on the dead node fails after this (503) and the client retries.
        // Every client has its manifest before the kill, so manifests keep the default.
        NodeProcessCluster cluster = NodeProcessCluster.start(3, work, upstream.url(),
            Map.of("layercake.blobs.ask-timeout", "5s"))) {
      FakeImages.publish(upstream, REPOSITORY, "1", image);
      Duration formed = Duration.ofNanos(System.nanoTime() - testStarted);
      upstream.inject(Fault.throttle(UPSTREAM_BYTES_PER_SECOND), "/blobs/", FakeRegistry.FOREVER);

      List<MirrorClient> clients = new ArrayList<>();
      List<CompletableFuture<Void>> pulls = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        // Each client prefers one node and lists the others as fallback mirrors.
        List<String> mirrors = new ArrayList<>(cluster.urls());
        Collections.rotate(mirrors, -(i % 3));
        MirrorClient client = new MirrorClient(mirrors, DOCKER_LIKE);
        clients.add(client);
        pulls.add(client.pull(REPOSITORY, "1", image, i));
      }

      Await.until(Duration.ofSeconds(30), COMMITTED_BEFORE_KILL + " image blobs committed", () ->
          committedAnywhere(cluster, imageBlobs).size() >= COMMITTED_BEFORE_KILL);
      // The node holding the most: the restart then has stored blobs to prove it reuses.
      int victim = mostBlobs(cluster, imageBlobs);
      List<Integer> survivors = IntStream.range(0, 3).filter(i -> i != victim).boxed().toList();
      Set<String> survivorsHeld = new TreeSet<>();
      for (int s : survivors) {
        survivorsHeld.addAll(StoredBlobs.committed(cluster.dataDir(s)));
        survivorsHeld.addAll(StoredBlobs.filling(cluster.dataDir(s)));
      }
      survivorsHeld.retainAll(imageBlobs);
      Set<String> fillingOnVictim = StoredBlobs.filling(cluster.dataDir(victim));
      cluster.kill(victim);
      long killedAt = System.nanoTime();
      Set<String> victimHeld = new TreeSet<>(StoredBlobs.committed(cluster.dataDir(victim)));
      victimHeld.retainAll(imageBlobs);
      assertFalse(victimHeld.isEmpty(), "the killed node held no committed blob");

      // The survivors answer at once, before the dead node is even noticed, and serve what they hold.
      for (int s : survivors) {
        RegistryClient direct = new RegistryClient(cluster.url(s));
        assertEquals(200, direct.get("/v2/").statusCode(), "node " + s + " after the kill");
        for (String digest : StoredBlobs.committed(cluster.dataDir(s))) {
          if (imageBlobs.contains(digest)) {
            HttpResponse<byte[]> blob = direct.get("/v2/" + REPOSITORY + "/blobs/" + digest);
            assertEquals(200, blob.statusCode(), "node " + s + " serving its own " + digest);
            assertEquals(digest, RegistryClient.digestOf(blob.body()));
          }
        }
      }

      cluster.awaitMembers(2, Duration.ofSeconds(30));
      Duration downed = Duration.ofNanos(System.nanoTime() - killedAt);
      for (int s : survivors) {
        ClusterReport report = cluster.report(s);
        assertTrue(report.hasUpMembers(2), report.json());
      }

      CompletableFuture.allOf(pulls.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      Duration clientsDone = Duration.ofNanos(System.nanoTime() - killedAt);
      int attempts = 0;
      int failed = 0;
      for (MirrorClient client : clients) {
        assertEquals(0, client.wrongBodies(), "a mirror served wrong bytes: " + client.failures());
        attempts += client.attempts();
        failed += client.failures().size();
      }
      assertTrue(failed > 0, "the kill came after the pulls, so it tested nothing");

      Map<String, Long> gets = new TreeMap<>();
      for (String digest : imageBlobs) {
        gets.put(digest, authorisedGets(upstream, digest));
      }
      for (Map.Entry<String, Long> entry : gets.entrySet()) {
        String digest = entry.getKey();
        long count = entry.getValue();
        assertTrue(count >= 1 && count <= 2, digest + " fetched upstream " + count + " times: " + gets);
        if (survivorsHeld.contains(digest)) {
          assertEquals(1, count, digest + " was on a survivor, yet fetched again: " + gets);
        }
      }
      long refetched = gets.values().stream().filter(count -> count == 2).count();

      upstream.resetCounts();
      long restartStarted = System.nanoTime();
      cluster.restart(victim);
      cluster.awaitMembers(3, Duration.ofSeconds(45));
      Duration rejoined = Duration.ofNanos(System.nanoTime() - restartStarted);
      assertTrue(StoredBlobs.committed(cluster.dataDir(victim)).containsAll(victimHeld),
          "the restarted node lost blobs it had committed");
      MirrorClient throughRestarted = new MirrorClient(List.of(cluster.url(victim)), DOCKER_LIKE);
      throughRestarted.pull(REPOSITORY, "1", image, 99).get(30, TimeUnit.SECONDS);
      assertEquals(0, throughRestarted.wrongBodies(), throughRestarted.failures().toString());
      for (String digest : victimHeld) {
        assertEquals(0, authorisedGets(upstream, digest) + unauthorisedGets(upstream, digest),
            "the restarted node held " + digest + " but it was fetched upstream again");
      }
      assertEquals(0, upstream.count("GET", "/blobs/"),
          "after the restart every blob is on some node, so no blob needs upstream");

      log.info("node loss: cluster formed {} ms after the test started, kill of node {} {} ms later; {} blobs; it held {} committed and {} filling, survivors {}; kill to 2 members"
              + " {} ms, kill to all clients done {} ms; {} client attempts, {} failed and retried; upstream GETs"
              + " per blob {}; {} blobs fetched twice; restart to 3 members Up {} ms; pull through the restarted"
              + " node: {} attempts, {} upstream blob GETs",
          formed.toMillis(), victim, Duration.ofNanos(killedAt - testStarted).minus(formed).toMillis(),
          imageBlobs.size(), victimHeld.size(), fillingOnVictim.size(), survivorsHeld.size(), downed.toMillis(),
          clientsDone.toMillis(), attempts, failed, gets.values(), refetched, rejoined.toMillis(),
          throughRestarted.attempts(), upstream.count("GET", "/blobs/"));
    }
  }

  private static int mostBlobs(NodeProcessCluster cluster, Set<String> imageBlobs) {
    return IntStream.range(0, cluster.size()).boxed()
        .max(Comparator.comparingInt(i -> committedOn(cluster.dataDir(i), imageBlobs).size()))
        .orElseThrow();
  }

  private static Set<String> committedOn(Path dataDir, Set<String> imageBlobs) {
    Set<String> committed = new TreeSet<>(StoredBlobs.committed(dataDir));
    committed.retainAll(imageBlobs);
    return committed;
  }

  private static Set<String> committedAnywhere(NodeProcessCluster cluster, Set<String> imageBlobs) {
    Set<String> committed = new TreeSet<>();
    for (int i = 0; i < cluster.size(); i++) {
      committed.addAll(committedOn(cluster.dataDir(i), imageBlobs));
    }
    return committed;
  }

  /** Upstream GETs of a blob that carried a token: each is a real fetch (the first is a 401). */
  private static long authorisedGets(FakeRegistry upstream, String digest) {
    return upstream.requests().stream()
        .filter(r -> r.method().equals("GET") && r.path().endsWith("/blobs/" + digest) && r.hasAuthorization())
        .count();
  }

  private static long unauthorisedGets(FakeRegistry upstream, String digest) {
    return upstream.requests().stream()
        .filter(r -> r.method().equals("GET") && r.path().endsWith("/blobs/" + digest) && !r.hasAuthorization())
        .count();
  }
}
