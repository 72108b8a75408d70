package io.layercake.cli;

import io.layercake.eviction.Removal;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code layercake rmi [--force] IMAGE...}: removes images from the cluster's cache, printing
 * {@code Untagged:} and {@code Deleted:} lines like docker. Each image is removed on its own; a
 * failure is printed and the others still go, and the exit status is then 1.
 */
@Command(name = "rmi", header = "Remove images from the cache", description =
    "Removes images from the cache of the whole cluster: the tag, and the image's blobs that no other cached"
    + " image shares. IMAGE is NAME[:TAG], NAME@DIGEST or an IMAGE ID. An image being pulled, or pinned, is"
    + " refused unless --force.")
final class RmiCommand extends NodeVerb {

  @Option(names = {"-f", "--force"}, description = "remove even if pinned (the pin goes too) or being pulled")
  private boolean force;

  @Parameters(arity = "1..*", paramLabel = "IMAGE")
  private List<String> images;

  @Override
  public Integer call() {
    Invocation invocation = invocation();
    AdminClient client = client();
    int status = 0;
    for (String image : images) {
      try {
        RemovalOutput.print(client.send("POST", "/admin/rmi?image=" + AdminClient.encode(image)
            + (force ? "&force=true" : ""), Removal.class), invocation.out(), "Untagged: ", "Deleted: ");
      } catch (AdminClient.CliException e) {
        invocation.err().println("layercake: " + image + ": " + e.getMessage());
        status = 1;
      }
    }
    return status;
  }
}
