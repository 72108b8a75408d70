package io.layercake.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import io.layercake.Json;

/**
 * {@code layercake inspect IMAGE [--platform os/arch|all]}: the node's JSON report of the image,
 * indented and wrapped in an array as {@code docker inspect} prints it.
 */
@Command(name = "inspect",
    header = "Show an image's manifest, config, layers and tag history as JSON",
    description = "Prints the node's report of the image as docker inspect does: an array of one object, with"
        + " the nodes holding each layer.")
final class InspectCommand extends NodeVerb {

  @Mixin
  private PlatformOption platform;

  @Parameters(paramLabel = "IMAGE")
  private String image;

  @Override
  public Integer call() throws JsonProcessingException {
    Invocation invocation = invocation();
    JsonNode report = client().send("GET", "/admin/inspect?image=" + AdminClient.encode(image)
        + platform.asQuery(), JsonNode.class);
    invocation.out().println(Json.MAPPER.writerWithDefaultPrettyPrinter()
        .writeValueAsString(Json.MAPPER.createArrayNode().add(report)));
    return 0;
  }
}
