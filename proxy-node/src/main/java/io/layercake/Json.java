package io.layercake;

import com.fasterxml.jackson.core.JsonProcessingException;
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
   * {@code value} as JSON: a record, or a collection or map of records, numbers and strings, which
   * Jackson can always write; so its checked exception would be a bug, not a condition to handle.
   */
  public static byte[] bytes(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getName() + " as JSON", e);
    }
  }

  /**
   * Reads another layercake's answer into {@code type}, passing over fields this version does not
   * know: a newer node may add some, and an older command or node must still read the rest.
   */
  public static ObjectReader answerReader(Class<?> type) {
    return MAPPER.readerFor(type).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  }
}
