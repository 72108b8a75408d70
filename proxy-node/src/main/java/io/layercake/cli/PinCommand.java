package io.layercake.cli;

import io.layercake.admin.AdminAnswers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code layercake pin IMAGE}: a pinned image is never evicted or pruned, and {@code rmi} refuses
 * it without {@code --force}. {@link Unpin} is its inverse.
 */
@Command(name = "pin", header = "Pin a cached image: never evicted or pruned", description =
    "Pins an image on every node: its manifest, config and layers are never evicted or pruned, and rmi"
    + " refuses it unless --force. The pin covers the content the tag points at now; pin again after the tag"
    + " moves. Pins survive restarts.")
class PinCommand extends NodeVerb {

  @Parameters(paramLabel = "IMAGE")
  private String image;

  /** Whether this verb sets the pin (or, in {@link Unpin}, removes it). */
  boolean pins() {
    return true;
  }

  /** Sets or removes the pin of the image and prints each image it covers. */
  @Override
  public Integer call() {
    Invocation invocation = invocation();
    AdminAnswers.PinChange answer = client().send(pins() ? "POST" : "DELETE",
        "/admin/pins?image=" + AdminClient.encode(image), AdminAnswers.PinChange.class);
    for (String name : answer.images()) {
      invocation.out().println((pins() ? "Pinned: " : "Unpinned: ") + RemovalOutput.familiar(name));
    }
    return 0;
  }

  /** {@code layercake unpin IMAGE}: the same options, the pin removed. */
  @Command(name = "unpin", header = "Remove an image's pin", description = "Removes the pin of an image on every node.")
  static final class Unpin extends PinCommand {
    @Override
    boolean pins() {
      return false;
    }
  }
}
