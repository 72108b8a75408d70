package io.layercake.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** TCP ports for the servers a test starts: nodes, fake registries, Debian's registry, peers. */
public final class FreePorts {

  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private FreePorts() {}

  /** A TCP port that was free a moment ago, never handed out before in this JVM. */
  public static int next() {
    // The kernel may give the same free port to two calls in a row: a test that asks for a
    // node's remoting port and then another's HTTP port got one port twice, and a node failed to
    // bind. So a port is handed out once per JVM.
    while (true) {
      try (ServerSocket socket = new ServerSocket(0)) {
        if (HANDED_OUT.add(socket.getLocalPort())) {
          return socket.getLocalPort();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
