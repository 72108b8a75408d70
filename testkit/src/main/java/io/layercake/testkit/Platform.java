package io.layercake.testkit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The platform of one image in a multi-architecture index, as written in the index entry and in the
 * image config.
 *
 * @param os operating system, e.g. {@code linux}
 * @param architecture CPU architecture in Go's spelling, e.g. {@code amd64}
 * @param variant CPU variant such as {@code v8}, or {@code null} for none
 */
public record Platform(String os, String architecture, String variant) {

  /** linux/amd64, the platform of a single-architecture test image. */
  public static final Platform LINUX_AMD64 = new Platform("linux", "amd64", null);

  /** linux/arm64/v8, spelled the way Docker Hub's official images spell it. */
  public static final Platform LINUX_ARM64 = new Platform("linux", "arm64", "v8");

  /** Validates that os and architecture are given and the variant, if any, is not blank. */
  public Platform {
    Objects.requireNonNull(os, "os");
    Objects.requireNonNull(architecture, "architecture");
    if (os.isBlank() || architecture.isBlank() || (variant != null && variant.isBlank())) {
      throw new IllegalArgumentException(
          "platform parts must not be blank: " + os + "/" + architecture + "/" + variant);
    }
  }

  /** The JSON object of an index entry's {@code platform} field, in a fixed field order. */
  Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("architecture", architecture);
    json.put("os", os);
    if (variant != null) {
      json.put("variant", variant);
    }
    return json;
  }

  /** {@code os/architecture[/variant]}. */
  @Override
  public String toString() {
    return os + "/" + architecture + (variant == null ? "" : "/" + variant);
  }
}
