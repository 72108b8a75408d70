package io.layercake.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Upstream's next-page links are read for {@code last} only, whatever path or host they name. */
class ListingLinksTest {

  @Test
  void nextLast_fromUpstreamsLink_inAnyForm() {
    assertEquals(Optional.of("a"), ListingEndpoint.nextLast("</v2/org/app/tags/list?n=1&last=a>; rel=\"next\""));
    assertEquals(Optional.of("v1.0-rc"), ListingEndpoint.nextLast(
        "<https://ghcr.io/v2/org/app/tags/list?last=v1.0-rc&n=100>; rel=\"next\""));
    assertEquals(Optional.of("a b"), ListingEndpoint.nextLast("</v2/x/tags/list?last=a%20b>; rel=\"next\""));
  }

  @Test
  void nextLast_withoutOne_isEmpty() {
    assertEquals(Optional.empty(), ListingEndpoint.nextLast("</v2/org/app/tags/list?n=1>; rel=\"next\""));
    assertEquals(Optional.empty(), ListingEndpoint.nextLast("</v2/org/app/tags/list>; rel=\"next\""));
    assertEquals(Optional.empty(), ListingEndpoint.nextLast("not a link"));
    assertEquals(Optional.empty(), ListingEndpoint.nextLast("</v2/x/tags/list?last=%zz>; rel=\"next\""));
    assertEquals(Optional.empty(), ListingEndpoint.nextLast("<x>?last=a"));
  }
}
