package io.layercake.cli;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The one JSON mapper of the command line: a mapper is thread-safe once configured, and costly to build. */
final class CliJson {

  static final ObjectMapper MAPPER = new ObjectMapper();

  private CliJson() {}
}
