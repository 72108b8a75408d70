package io.layercake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Upstream names: only what entity ids and index keys can carry, and plain strings on the wire. */
class UpstreamNameTest {

  @Test
  void of_namesWithSeparatorsOrCapitals_areRefused() {
    for (String bad : new String[] {"", "-hub", "Docker", "docker hub", "a/b", "a:b", "ünï"}) {
      assertThrows(IllegalArgumentException.class, () -> UpstreamName.of(bad), bad);
    }
    assertThrows(IllegalArgumentException.class, () -> UpstreamName.of(null));
    assertEquals("ghcr-io", UpstreamName.of("ghcr-io").toString());
  }

  @Test
  void json_isAPlainString_bothWays() throws Exception {
    assertEquals("\"docker-hub\"", Json.MAPPER.writeValueAsString(UpstreamName.of("docker-hub")));
    assertEquals(UpstreamName.of("quay"), Json.MAPPER.readValue("\"quay\"", UpstreamName.class));
  }
}
