package io.layercake.eviction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
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
