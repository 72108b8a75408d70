package io.layercake;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The node's one JSON mapper, for every package: a mapper is thread-safe once configured and
 * costly to build, and one instance is one place to tighten how untrusted JSON (manifests,
 * archives, token answers, peers' replies) is read. Never reconfigure it after start.
 */
public final class Json {

  /** The shared mapper, with Jackson's defaults (including its read limits on nesting and sizes). */
  public static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}
}
