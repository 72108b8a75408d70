package io.layercake.cli;

import picocli.CommandLine.Option;

/** The {@code --format} option of the listing verbs. */
final class FormatOption {

  /** How a listing is printed. */
  enum Format {
    /** Columns as docker aligns them. */
    TABLE,
    /** One JSON object per line, with docker's field names where docker has the field. */
    JSON
  }

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
      description = "table (default) or json: one JSON object per line")
  private Format format;

  Format format() {
    return format;
  }
}
