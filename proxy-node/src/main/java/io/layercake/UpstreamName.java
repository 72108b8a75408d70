package io.layercake;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The name of a configured upstream registry, its key under {@code layercake.upstreams}
 * ({@code docker-hub}). It is part of every entity id, index key and cache key that says where
 * content came from, which split on '/', ':' and ' ': so it may only use a-z, 0-9 and '-'. A type
 * of its own, so that a repository or a tag can never be passed where an upstream belongs.
 * Written as a plain string in JSON and CBOR, as it was before it had a type.
 *
 * @param value the name
 */
public record UpstreamName(@JsonValue String value) {

  /** Checks the name. */
  public UpstreamName {
    if (value == null || !value.matches("[a-z0-9][a-z0-9-]*")) {
      throw new IllegalArgumentException("upstream names may only use a-z, 0-9 and '-', got \"" + value + "\"");
    }
  }

  /** The upstream called {@code value}. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static UpstreamName of(String value) {
    return new UpstreamName(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
