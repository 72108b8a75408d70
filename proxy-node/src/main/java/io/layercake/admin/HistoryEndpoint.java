package io.layercake.admin;

import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layercake.Json;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.ImageReference;
import io.layercake.oci.OciException;
import io.layercake.oci.RepositoryName;
import io.layercake.oci.Tag;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * {@code GET /admin/history?image=NAME[:TAG]}: where the tag pointed over time, from the tag
 * entity's journal on every node ({@code &scope=node}: this node's journal only). Never asks
 * upstream and never wakes the entity.
 */
final class HistoryEndpoint {

  private static final ObjectMapper JSON = Json.MAPPER;

  private final ImageResolver resolver;
  private final ImageServices services;
  private final TagHistory history;

  HistoryEndpoint(ImageResolver resolver, ImageServices services, TagHistory history) {
    this.resolver = resolver;
    this.services = services;
    this.history = history;
  }

  CompletionStage<HttpResponse> serve(HttpRequest request) {
    AdminRequests.requireMethod(request, HttpMethods.GET);
    ImageReference image = AdminRequests.image(request);
    if (image.digest().isPresent()) {
      throw new OciException(ErrorCode.TAG_INVALID, "history needs a tag, not a digest", image.familiar());
    }
    String upstream = resolver.upstreamOf(image);
    RepositoryName repository = services.upstreams().canonicalName(upstream, image.repository());
    Tag tag = image.tag().orElseThrow();
    boolean nodeOnly = request.getUri().query().get("scope").map("node"::equals).orElse(false);
    CompletionStage<List<TagHistory.Entry>> entries = nodeOnly
        ? history.local(upstream, repository, tag)
        : history.cluster(upstream, repository, tag);
    return entries.thenApply(list -> AdminRequests.json(toJson(image, list)));
  }

  static ObjectNode toJson(ImageReference image, List<TagHistory.Entry> entries) {
    ObjectNode root = JSON.createObjectNode();
    root.put("image", image.familiar());
    root.set("history", entriesJson(entries));
    return root;
  }

  static ArrayNode entriesJson(List<TagHistory.Entry> entries) {
    ArrayNode list = JSON.createArrayNode();
    for (TagHistory.Entry entry : entries) {
      ObjectNode node = list.addObject();
      node.put("digest", entry.digest());
      node.put("mediaType", entry.mediaType());
      node.put("since", entry.since());
      node.put("lastConfirmed", entry.lastConfirmed());
      node.put("node", entry.node());
    }
    return list;
  }
}
