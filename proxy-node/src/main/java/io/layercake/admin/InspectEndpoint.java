package io.layercake.admin;

import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layercake.Futures;
import io.layercake.Json;
import io.layercake.archive.Descriptor;
import io.layercake.blob.BlobFinder;
import io.layercake.cluster.PeerClient;
import io.layercake.oci.ImageReference;
import io.layercake.oci.ManifestContent;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/*
 * Implementation notes
 *
 * The image is resolved as a pull would resolve it (a fresh cached tag never reaches upstream; a
 * tag or platform manifest the cluster does not hold is fetched, as for any pull), but no config
 * or layer is ever fetched: for each blob the report says which nodes hold it, and the config's
 * JSON is shown only if some node holds it. The tag's history comes from the journals.
 */

/**
 * {@code GET /admin/inspect?image=REF[&platform=os/arch|all]}: the image's manifest, its platforms'
 * manifests, configs and layers with their sizes and the nodes holding them, and the tag history.
 */
record InspectEndpoint(ImageResolver resolver, BlobFinder blobs, TagHistory history,
    ImageServices services, long maxJsonSize) {

  CompletionStage<HttpResponse> serve(HttpRequest request) {
    AdminRequest query = AdminRequest.of(request, HttpMethods.GET, Set.of("image", "platform"));
    ImageReference image = query.image();
    return resolver.resolve(image, query.platform()).thenCompose(selected -> {
      ImageResolver.ResolvedImage resolved = selected.top();
      List<ImageResolver.PlatformImage> platforms = selected.platforms();
      ObjectNode root = Json.MAPPER.createObjectNode();
      root.put("image", image.familiar());
      root.put("name", image.toString());
      root.put("upstream", resolved.upstream().value());
      root.put("repository", resolved.repository().value());
      describeManifest(root, resolved.top());
      CompletionStage<List<AdminAnswers.HistoryEntry>> tagHistory = image.tag().isPresent() && image.digest().isEmpty()
          ? history.cluster(resolved.upstream(), resolved.repository(), image.tag().get())
          : CompletableFuture.completedFuture(List.of());
      return Futures.all(platforms.stream().map(this::describePlatform).toList())
          .thenCombine(tagHistory, (described, entries) -> {
            root.putArray("platforms").addAll(described);
            root.set("history", Json.MAPPER.valueToTree(entries));
            return AdminRequest.json(root);
          });
    });
  }

  private CompletionStage<ObjectNode> describePlatform(ImageResolver.PlatformImage image) {
    ObjectNode node = Json.MAPPER.createObjectNode();
    node.put("platform", image.platform());
    describeManifest(node, image.manifest());
    CompletionStage<ObjectNode> config = describeBlob(image.config())
        .thenCompose(described -> configContent(image.config(), described).thenApply(content -> {
          described.set("content", content.orElse(null));
          return described;
        }));
    return Futures.all(image.layers().stream().map(this::describeBlob).toList())
        .thenCombine(config, (layers, described) -> {
          node.set("config", described);
          node.putArray("layers").addAll(layers);
          node.put("size", image.config().size() + layers.stream().mapToLong(l -> l.path("size").asLong()).sum());
          return node;
        });
  }

  private CompletionStage<ObjectNode> describeBlob(Descriptor blob) {
    return blobs.holders(blob.digest()).thenApply(holders -> {
      ObjectNode node = Json.MAPPER.createObjectNode();
      node.put("digest", blob.digest().toString());
      node.put("mediaType", blob.mediaType());
      node.put("size", blob.size());
      ArrayNode nodes = node.putArray("nodes");
      holders.forEach(nodes::add);
      return node;
    });
  }

  /** The config's JSON from a node that holds it; empty if none does (it is not fetched). */
  private CompletionStage<Optional<JsonNode>> configContent(Descriptor config, ObjectNode described) {
    if (config.size() > maxJsonSize || described.path("nodes").isEmpty()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    String holder = described.path("nodes").path(0).asText();
    PeerClient peers = services.peers();
    if (peers.directory().isSelf(holder)) {
      return blobs.local(config.digest(), false).thenApply(local -> local.flatMap(blob -> {
        try {
          return parse(Files.readAllBytes(blob.path()));
        } catch (IOException e) {
          return Optional.empty();
        }
      }));
    }
    return peers.getSmall(holder, PeerClient.BLOBS_PATH + config.digest() + "?committed=true", maxJsonSize)
        .thenApply(body -> body.flatMap(InspectEndpoint::parse));
  }

  private static Optional<JsonNode> parse(byte[] json) {
    try {
      return Optional.of(Json.MAPPER.readTree(json));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static void describeManifest(ObjectNode node, ManifestContent manifest) {
    node.put("digest", manifest.digest().toString());
    node.put("mediaType", manifest.mediaType());
    try {
      node.set("manifest", Json.MAPPER.readTree(manifest.bytes()));
    } catch (IOException e) {
      node.putNull("manifest");
    }
  }
}
