package io.layercake.cli;

import picocli.CommandLine.Option;

/** The {@code --url} option of every verb that talks to a node, with its default from the environment. */
final class NodeOption {

  static final String URL_VARIABLE = "LAYERCAKE_URL";
  static final String DEFAULT_URL = "http://127.0.0.1:5000";

  @Option(names = "--url", paramLabel = "URL",
      description = "node to ask (default $" + URL_VARIABLE + ", else " + DEFAULT_URL + ")")
  private String url;

  /** A client for the node this run names, with the token and CA from the environment. */
  AdminClient client(Invocation invocation) {
    return AdminClient.of(url != null ? url : invocation.env().getOrDefault(URL_VARIABLE, DEFAULT_URL),
        invocation.env());
  }
}
