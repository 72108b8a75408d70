package io.layercake.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/**
 * A verb that talks to a node's admin API. The run it belongs to and its {@code --url} are
 * declared here once; picocli fills inherited fields as it fills a verb's own.
 */
abstract class NodeVerb implements Callable<Integer> {

  @ParentCommand
  private Layercake root;

  @Mixin
  private NodeOption node;

  /** The run's streams, environment and terminal. */
  Invocation invocation() {
    return root.invocation();
  }

  /** A client for the node this run names. */
  AdminClient client() {
    return node.client(invocation());
  }
}
