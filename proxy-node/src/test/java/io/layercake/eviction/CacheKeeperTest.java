package io.layercake.eviction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.Adapter;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import com.typesafe.config.ConfigFactory;
import io.layercake.UpstreamName;
import io.layercake.oci.Digest;
import io.layercake.storage.BlobStore;
import io.layercake.storage.NodeDatabase;
import io.layercake.storage.StorageSettings;
import io.layercake.storage.TagIndex;
import io.layercake.testkit.RegistryClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node's keeper: listings in pages that fit remoting's frames, and removals. */
class CacheKeeperTest {

  @TempDir Path dataDir;
  private final ActorTestKit testKit = ActorTestKit.create();
  private NodeDatabase database;
  private BlobStore store;
  private Evictor evictor;
  private ActorRef<CacheKeeper.Command> keeper;

  @BeforeEach
  void start() {
    database = NodeDatabase.open(dataDir.resolve("db"));
    store = BlobStore.open(new StorageSettings(dataDir), database, Clock.systemUTC());
    store.recover();
    EvictionSettings settings = new EvictionSettings(1L << 40, 0.9, 0.5, Duration.ofHours(1), List.of(), 10);
    evictor = new Evictor(store, settings, new PinStore(database), d -> false, d -> true, Runnable::run,
        Clock.systemUTC());
    keeper = testKit.spawn(CacheKeeper.create("http://self", store, new TagIndex(database), evictor, Set::of,
        Runnable::run));
  }

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
    database.close();
  }

  private Digest blob(int i) {
    byte[] bytes = ("blob " + i).getBytes(StandardCharsets.US_ASCII);
    Digest digest = Digest.parse(RegistryClient.digestOf(bytes));
    store.storeBytes(digest, bytes, null);
    return digest;
  }

  @Test
  void listContents_manyBlobs_comeInPagesThatAddUp() {
    Set<String> stored = new HashSet<>();
    for (int i = 0; i < 1234; i++) {
      stored.add(blob(i).toString());
    }
    TestProbe<CacheKeeper.Contents> probe = testKit.createTestProbe();
    Set<String> listed = new HashSet<>();
    int pages = 0;
    boolean last = false;
    while (!last) {
      keeper.tell(new CacheKeeper.ListContents("s1", pages, probe.getRef()));
      CacheKeeper.Contents page = probe.receiveMessage();
      assertEquals(null, page.error());
      assertTrue(page.blobs().size() <= CacheKeeper.BLOBS_PER_PAGE);
      page.blobs().forEach(b -> listed.add(b.digest()));
      last = page.last();
      pages++;
    }
    assertEquals(3, pages);
    assertEquals(stored, listed);
  }

  @Test
  void contentsPage_ofTheLongestNames_fitsRemotingsFrame() {
    // Pages cross nodes as CBOR: one that outgrows Artery's frame is dropped, and the listing times out.
    String repository = "r".repeat(255);
    String tag = "t".repeat(128);
    String digest = "sha256:" + "a".repeat(64);
    String mediaType = "application/vnd.docker.distribution.manifest.list.v2+json";
    CacheKeeper.Contents page = new CacheKeeper.Contents("http://" + "n".repeat(60) + ":5000",
        Collections.nCopies(CacheKeeper.BLOBS_PER_PAGE,
            new CacheKeeper.BlobEntry(digest, Long.MAX_VALUE, mediaType, Long.MAX_VALUE, Long.MAX_VALUE)),
        Collections.nCopies(CacheKeeper.TAGS_PER_PAGE,
            new CacheKeeper.TagEntry(UpstreamName.of("docker-hub"), repository, tag, digest, Long.MAX_VALUE)),
        Collections.nCopies(CacheKeeper.PULLS_PER_PAGE,
            new CacheKeeper.PullEntry(UpstreamName.of("docker-hub"), repository, tag, Long.MAX_VALUE, Long.MAX_VALUE)),
        List.of(), List.of(), false, null);
    // The node's own serialization bindings, on a local actor system (no port to bind).
    ActorTestKit node = ActorTestKit.create(ConfigFactory.parseString("akka.actor.provider = local")
        .withFallback(ConfigFactory.parseResources("layercake-node.conf")).withFallback(ConfigFactory.load()));
    try {
      Serialization serialization = SerializationExtension.get(Adapter.toClassic(node.system()));

      byte[] bytes = serialization.serialize(page).get();

      long frame = node.system().settings().config().getBytes("akka.remote.artery.advanced.maximum-frame-size");
      assertTrue(bytes.length < frame - 4096, bytes.length + " bytes in a frame of " + frame);
      assertEquals(page, serialization.deserialize(bytes, CacheKeeper.Contents.class).get(), "read back whole");
    } finally {
      node.shutdownTestKit();
    }
  }

  @Test
  void listContents_unknownSnapshot_isAnError() {
    TestProbe<CacheKeeper.Contents> probe = testKit.createTestProbe();
    keeper.tell(new CacheKeeper.ListContents("never-taken", 1, probe.getRef()));
    assertNotNull(probe.receiveMessage().error());
  }

  @Test
  void removeContent_deletesHeldDigestsAndSkipsOthers() {
    Digest held = blob(1);
    Digest absent = Digest.parse(RegistryClient.digestOf(new byte[] {9}));
    TestProbe<CacheKeeper.Removed> probe = testKit.createTestProbe();
    keeper.tell(new CacheKeeper.RemoveContent(List.of(), List.of(held.toString(), absent.toString()), "prune",
        false, probe.getRef()));
    CacheKeeper.Removed removed = probe.receiveMessage();
    assertEquals(List.of(held.toString()), removed.deleted().stream().map(CacheKeeper.BlobEntry::digest).toList());
    assertFalse(store.find(held).isPresent());
    assertEquals(1, evictor.recent().size());
    assertEquals(EvictionReason.PRUNE, evictor.recent().get(0).reason());
  }
}
