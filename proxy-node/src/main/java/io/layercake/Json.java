package io.layercake;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

/**
 * The node's one JSON mapper, for every package: a mapper is thread-safe once configured and
 * costly to build, and one instance is one place to tighten how untrusted JSON (manifests,
 * archives, token answers, peers' replies) is read. Never reconfigure it after start.
 */
public final class Json {

  /** The shared mapper, with Jackson's defaults (including its read limits on nesting and sizes). */
  public static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  /**
   * Reads another layercake's answer into {@code type}, passing over fields this version does not
   * know: a newer node may add some, and an older command or node must still read the rest.
   */
  public static ObjectReader answerReader(Class<?> type) {
    return MAPPER.readerFor(type).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  }
}
