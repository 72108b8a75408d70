package io.layercake.oci;

import java.util.regex.Pattern;

/**
 * A platform as docker's {@code --platform} names one: {@code os/arch} or {@code os/arch/variant}
 * ({@code linux/arm64/v8}), the way an index's {@code platform} objects are read.
 */
public final class Platform {

  private static final Pattern NAME = Pattern.compile("[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?");

  private Platform() {}

  /** Whether {@code name} is {@code os/arch} or {@code os/arch/variant}. */
  public static boolean isValid(String name) {
    return NAME.matcher(name).matches();
  }

  /**
   * Whether an index entry's platform {@code name} is one {@code wanted} asks for: {@code
   * linux/arm64} takes {@code linux/arm64/v8}, and a wanted variant must match exactly.
   */
  public static boolean matches(String name, String wanted) {
    return name.equals(wanted) || name.startsWith(wanted + "/");
  }
}
