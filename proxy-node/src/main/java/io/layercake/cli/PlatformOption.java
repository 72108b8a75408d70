package io.layercake.cli;

import picocli.CommandLine.Option;

/** The {@code --platform} option of the verbs that pick from a multi-platform image. */
final class PlatformOption {

  @Option(names = "--platform", paramLabel = "os/arch|all",
      description = "the platform to take from a multi-platform image, or all (default linux/amd64)")
  private String platform;

  /** {@code &platform=...} for the admin API, or nothing when the option is absent. */
  String asQuery() {
    return platform == null ? "" : "&platform=" + AdminClient.encode(platform);
  }
}
