package io.layercake.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.archive.ArchivePlanner;
import io.layercake.archive.TarWriter;
import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import io.layercake.storage.BlobStore;
import io.layercake.storage.NodeDatabase;
import io.layercake.storage.StorageSettings;
import io.layercake.testkit.Sha256;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One load against a real store in a temp folder: the limits of issue 10, finding 4, at the lowest level. */
class ArchiveLoadTest {

  private static final int MiB = 1 << 20;

  @TempDir Path dataDir;
  private NodeDatabase database;
  private BlobStore store;
  private Path tmpDir;
  private final List<Long> reservations = new ArrayList<>();

  @BeforeEach
  void open() {
    database = NodeDatabase.open(dataDir.resolve("db"));
    StorageSettings storage = new StorageSettings(dataDir);
    store = BlobStore.open(storage, database, Clock.systemUTC());
    store.recover();
    store.onSpaceWanted(reservations::add);
    tmpDir = storage.tmpDir();
  }

  @AfterEach
  void close() {
    database.close();
  }

  @Test
  void read_jsonMembersBeyondTheMemoryBudget_refusedNamingTheKey() {
    LoadMemory memory = new LoadMemory(4 * MiB);
    byte[] archive = ArchiveBombs.jsonBomb(5, 3 * MiB / 2);

    OciException error = assertThrows(OciException.class,
        () -> load(settings(2 * MiB, 4 * MiB), memory, archive, OptionalLong.of(archive.length)));

    assertEquals(ErrorCode.BLOB_UPLOAD_INVALID, error.code());
    assertTrue(error.getMessage().contains("layercake.admin.images.max-load-memory"), error.getMessage());
    assertEquals(0, memory.used(), "the refused load gave its memory back");
  }

  @Test
  void read_memoryHeldByAnotherLoad_503WithRetryAfter() {
    LoadMemory memory = new LoadMemory(4 * MiB);
    byte[] archive = ArchiveBombs.jsonBomb(1, 2 * MiB);
    try (LoadMemory.Account other = memory.open()) {
      other.charge(3 * MiB);

      OciException error = assertThrows(OciException.class,
          () -> load(settings(2 * MiB, 4 * MiB), memory, archive, OptionalLong.of(archive.length)));

      assertEquals(ErrorCode.UNAVAILABLE, error.code());
      assertTrue(error.retryAfter().isPresent());
    }
    assertEquals(0, memory.used());
  }

  @Test
  void read_jsonMemberOverMaxJsonSize_refusedNamingTheKey() {
    byte[] archive = ArchiveBombs.jsonBomb(1, 2 * MiB);

    OciException error = assertThrows(OciException.class,
        () -> load(settings(MiB, 4 * MiB), new LoadMemory(4 * MiB), archive, OptionalLong.empty()));

    assertTrue(error.getMessage().contains("layercake.admin.images.max-json-size"), error.getMessage());
  }

  @Test
  void read_repeatedBlobName_refusedAndNothingLeaked() {
    byte[] blob = "some layer".getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    tar.writeBytes(TarWriter.smallFile(DockerSaveArchive.blobPath(blob), blob));
    tar.writeBytes(TarWriter.smallFile(DockerSaveArchive.blobPath(blob), blob));
    tar.writeBytes(TarWriter.end());
    byte[] archive = tar.toByteArray();

    OciException error = assertThrows(OciException.class,
        () -> load(settings(MiB, 4 * MiB), new LoadMemory(4 * MiB), archive, OptionalLong.of(archive.length)));

    assertTrue(error.getMessage().contains("more than one member named"), error.getMessage());
    assertEquals(List.of(), tmpFiles(), "the first copy's temp file is gone");
    assertEquals(0, store.pendingBytes(), "and its space reservation");
  }

  @Test
  void read_repeatedJsonName_refused() {
    byte[] json = "{}".getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    tar.writeBytes(TarWriter.smallFile("index.json", json));
    tar.writeBytes(TarWriter.smallFile("./index.json", json));
    tar.writeBytes(TarWriter.end());

    OciException error = assertThrows(OciException.class,
        () -> load(settings(MiB, 4 * MiB), new LoadMemory(4 * MiB), tar.toByteArray(), OptionalLong.empty()));

    assertTrue(error.getMessage().contains("more than one member named index.json"), error.getMessage());
  }

  @Test
  void read_memberLargerThanTheUpload_refusedBeforeReservingSpace() {
    byte[] archive = ArchiveBombs.stalledPrefix(1L << 40, 4096);

    OciException error = assertThrows(OciException.class, () -> load(settings(MiB, 4 * MiB),
        new LoadMemory(4 * MiB), archive, OptionalLong.of(archive.length + 10_000)));

    assertTrue(error.getMessage().contains("truncated"), error.getMessage());
    assertEquals(List.of(), reservations, "no eviction was asked to make room for a terabyte");
    assertEquals(List.of(), tmpFiles());
  }

  @Test
  void read_withOrWithoutContentLength_evictionHearsOnlyOfBytesWritten() throws IOException {
    byte[] archive = ArchiveBombs.nestedIndexes(0, "plain:1");
    ImageVerbSettings settings = settings(MiB, 4 * MiB);

    try (LoadMemory.Account account = new LoadMemory(4 * MiB).open();
        ArchiveLoad load = new ArchiveLoad(store, tmpDir, settings, account)) {
      load.read(new ByteArrayInputStream(archive), OptionalLong.empty());
    }
    long withoutLength = reservations.stream().mapToLong(Long::longValue).sum();
    reservations.clear();
    try (LoadMemory.Account account = new LoadMemory(4 * MiB).open();
        ArchiveLoad load = new ArchiveLoad(store, tmpDir, settings, account)) {
      load.read(new ByteArrayInputStream(archive), OptionalLong.of(archive.length));
    }
    long withLength = reservations.stream().mapToLong(Long::longValue).sum();

    assertTrue(withoutLength > 0, "layer, config and manifest were written");
    assertEquals(withoutLength, withLength, "the bytes written, whatever the upload declared");
    assertEquals(0, store.pendingBytes());
  }

  @Test
  void plan_indexesFortyDeep_refusedQuickly() {
    byte[] archive = ArchiveBombs.nestedIndexes(40, "deep:1");

    OciException error = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThrows(OciException.class,
        () -> load(settings(MiB, 4 * MiB), new LoadMemory(4 * MiB), archive, OptionalLong.of(archive.length))));

    assertEquals(ErrorCode.BLOB_UPLOAD_INVALID, error.code());
    assertTrue(error.getMessage().contains("deeper than 8"), error.getMessage());
    assertEquals(List.of(), tmpFiles());
  }

  @Test
  void plan_indexesEightDeep_plansOneImage() throws IOException {
    byte[] archive = ArchiveBombs.nestedIndexes(8, "eight:1");

    ArchivePlanner.Plan plan = load(settings(MiB, 4 * MiB), new LoadMemory(4 * MiB), archive,
        OptionalLong.of(archive.length));

    assertEquals(1, plan.images().size());
    assertEquals(9, plan.manifests().size(), "eight indexes and the manifest, each once");
    assertEquals(2, plan.blobs().size());
  }

  @Test
  void plan_layerListedAMillionTimes_refusedOverMemoryInsteadOfBuildingIt() {
    byte[] layer = "layer".getBytes(StandardCharsets.UTF_8);
    byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
    String layers = String.join(",", Collections.nCopies(1_000_000, "\"l\""));
    byte[] manifest = ("[{\"Config\":\"c.json\",\"RepoTags\":[\"many:1\"],\"Layers\":[" + layers + "]}]")
        .getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    tar.writeBytes(TarWriter.smallFile("l", layer));
    tar.writeBytes(TarWriter.smallFile("c.json", config));
    tar.writeBytes(TarWriter.smallFile("manifest.json", manifest));
    tar.writeBytes(TarWriter.end());
    LoadMemory memory = new LoadMemory(64 * MiB);

    OciException error = assertThrows(OciException.class,
        () -> load(settings(16 * MiB, 64 * MiB), memory, tar.toByteArray(), OptionalLong.empty()));

    assertTrue(error.getMessage().contains("max-load-memory"), error.getMessage());
    assertEquals(0, memory.used());
  }

  @Test
  void commit_validArchive_storesEveryBlobAndLeavesNoTempFile() throws IOException {
    DockerSaveArchive image = new DockerSaveArchive(31, 2, "ok:1");
    byte[] archive = image.ociLayout();
    ImageVerbSettings settings = settings(MiB, 4 * MiB);

    try (LoadMemory.Account account = new LoadMemory(4 * MiB).open();
        ArchiveLoad load = new ArchiveLoad(store, tmpDir, settings, account)) {
      load.read(new ByteArrayInputStream(archive), OptionalLong.of(archive.length));
      ArchiveLoad.Committed committed = load.commit(load.plan());
      assertEquals(3, committed.blobs(), "two layers and the config");
    }
    assertTrue(store.find(Digest.parse(Sha256.digest(image.layers.get(1)))).isPresent());
    assertEquals(List.of(), tmpFiles());
    assertEquals(0, store.pendingBytes());
  }

  /** Reads and plans {@code archive}, then closes the load as the endpoint does. */
  private ArchivePlanner.Plan load(ImageVerbSettings settings, LoadMemory memory, byte[] archive, OptionalLong length)
      throws IOException {
    try (LoadMemory.Account account = memory.open();
        ArchiveLoad load = new ArchiveLoad(store, tmpDir, settings, account)) {
      load.read(new ByteArrayInputStream(archive), length);
      return load.plan();
    }
  }

  private static ImageVerbSettings settings(long maxJsonSize, long maxLoadMemory) {
    return new ImageVerbSettings(Duration.ofSeconds(2), maxJsonSize, maxLoadMemory, 8, 4);
  }

  private List<Path> tmpFiles() {
    try (Stream<Path> files = Files.list(tmpDir)) {
      return files.toList();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
