package io.layercake.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.layercake.UpstreamName;
import io.layercake.oci.RepositoryName;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one count of pulls: {@link TagIndex#pulled}, batched, written, and read back after a restart. */
class TagPullsTest {

  @TempDir Path dir;

  @Test
  void pulls_pendingAndWritten_addUp_andSurviveReopening() {
    try (NodeDatabase database = NodeDatabase.open(dir.resolve("db"))) {
      TagIndex index = new TagIndex(database);
      index.pulled(UpstreamName.of("docker-hub"), "library/redis", "7", 1_000);
      index.pulled(UpstreamName.of("docker-hub"), "library/redis", "7", 3_000);
      index.flushPulls();
      index.pulled(UpstreamName.of("docker-hub"), "library/redis", "7", 2_000);
      index.pulled(UpstreamName.of("quay"), "org/app", "v1.2", 4_000);

      assertEquals(List.of(new TagIndex.TagPull(UpstreamName.of("docker-hub"), "library/redis", "7", 3, 3_000),
          new TagIndex.TagPull(UpstreamName.of("quay"), "org/app", "v1.2", 1, 4_000)), index.pulls(), "written plus pending");
      assertEquals(4, index.pullsSinceStart());
      index.flushPulls();
    }
    try (NodeDatabase database = NodeDatabase.open(dir.resolve("db"))) {
      TagIndex reopened = new TagIndex(database);
      assertEquals(List.of(new TagIndex.TagPull(UpstreamName.of("docker-hub"), "library/redis", "7", 3, 3_000),
          new TagIndex.TagPull(UpstreamName.of("quay"), "org/app", "v1.2", 1, 4_000)), reopened.pulls());
      assertEquals(0, reopened.pullsSinceStart(), "the metric counts since start, as Prometheus counters do");
    }
  }

  @Test
  void remove_tag_forgetsItsPulls_soARepullCountsAfresh() {
    try (NodeDatabase database = NodeDatabase.open(dir.resolve("db"))) {
      TagIndex index = new TagIndex(database);
      RepositoryName redis = RepositoryName.parse("library/redis");
      index.put(UpstreamName.of("docker-hub"), redis, "7", new TagRecord("sha256:" + "a".repeat(64), null, 1));
      index.pulled(UpstreamName.of("docker-hub"), "library/redis", "7", 1_000);
      index.flushPulls();
      index.pulled(UpstreamName.of("docker-hub"), "library/redis", "7", 2_000);

      index.remove(UpstreamName.of("docker-hub"), redis, "7");

      assertEquals(List.of(), index.pulls());
    }
  }

  @Test
  void remove_tagIndexedElsewhere_stillForgetsThePullsThisNodeAnswered() {
    try (NodeDatabase database = NodeDatabase.open(dir.resolve("db"))) {
      TagIndex index = new TagIndex(database);
      index.pulled(UpstreamName.of("docker-hub"), "library/redis", "7", 1_000);
      index.flushPulls();

      // In a cluster the tag's entity (and index entry) is on one node; pulls are on every node.
      assertEquals(false, index.remove(UpstreamName.of("docker-hub"), RepositoryName.parse("library/redis"), "7"));

      assertEquals(List.of(), index.pulls());
    }
  }

  @Test
  void pulled_pendingNamesAreCapped_whileFlushesCannotRun() {
    try (NodeDatabase database = NodeDatabase.open(dir.resolve("db"))) {
      TagIndex index = new TagIndex(database);
      for (int i = 0; i <= TagIndex.MAX_PENDING_TAGS; i++) {
        index.pulled(UpstreamName.of("docker-hub"), "library/walk", "t" + i, 1);
      }
      index.pulled(UpstreamName.of("docker-hub"), "library/walk", "t0", 2);

      assertEquals(TagIndex.MAX_PENDING_TAGS, index.pulls().size());
      assertEquals(TagIndex.MAX_PENDING_TAGS + 2, index.pullsSinceStart(), "every pull is in the metric");
    }
  }
}
