package io.layercake.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The in-memory pull counts behind the status page's top images. */
class TagPullsTest {

  @Test
  void top_ordersByPullsThenName() {
    TagPulls pulls = new TagPulls();
    pulls.pulled("docker-hub", "library/redis", "7");
    pulls.pulled("docker-hub", "library/alpine", "3");
    pulls.pulled("docker-hub", "library/alpine", "3");
    pulls.pulled("docker-hub", "library/busybox", "1");

    List<TagPulls.TagPull> top = pulls.top(2);

    assertEquals(List.of(new TagPulls.TagPull("docker-hub", "library/alpine", "3", 2),
        new TagPulls.TagPull("docker-hub", "library/busybox", "1", 1)), top);
  }

  @Test
  void pulled_beyondMaxTags_isOnlyTotalled() {
    TagPulls pulls = new TagPulls();
    for (int i = 0; i < TagPulls.MAX_TAGS; i++) {
      pulls.pulled("docker-hub", "library/many", "t" + i);
    }
    pulls.pulled("docker-hub", "library/many", "one-too-many");
    pulls.pulled("docker-hub", "library/many", "t0");

    assertEquals(1, pulls.untracked());
    assertEquals(2, pulls.top(1).get(0).pulls());
    assertEquals(TagPulls.MAX_TAGS, pulls.top(Integer.MAX_VALUE).size());
  }
}
