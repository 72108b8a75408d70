package io.layercake.upstream;

import java.util.Objects;
import java.util.Optional;

/**
 * One page of upstream's tag list, passed through unparsed.
 *
 * @param json the response body, {@code {"name":..,"tags":[..]}}; callers must not modify it
 * @param link upstream's {@code Link} header naming the next page, if there is one
 */
public record UpstreamTagList(byte[] json, Optional<String> link) {

  /** Requires every part. */
  public UpstreamTagList {
    Objects.requireNonNull(json, "json");
    Objects.requireNonNull(link, "link");
  }

  /** Describes the page without dumping its bytes. */
  @Override
  public String toString() {
    return "UpstreamTagList[" + json.length + " bytes, link=" + link.orElse("none") + "]";
  }
}
