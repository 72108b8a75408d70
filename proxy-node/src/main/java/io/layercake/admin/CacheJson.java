package io.layercake.admin;

import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layercake.Json;
import io.layercake.eviction.Removal;
import java.nio.charset.StandardCharsets;

/** The JSON shapes the cache verbs answer with. */
final class CacheJson {

  static final ObjectMapper JSON = Json.MAPPER;

  private CacheJson() {}

  /**
   * A removal: {@code {"untagged":["library/redis:7"],"deleted":[{"digest","size"}],
   * "reclaimed":bytes,"dryRun":bool,"errors":["node: why"]}}.
   */
  static HttpResponse removal(Removal result) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode untagged = root.putArray("untagged");
    result.untagged().forEach(untagged::add);
    ArrayNode deleted = root.putArray("deleted");
    for (Removal.Freed freed : result.deleted()) {
      deleted.addObject().put("digest", freed.digest()).put("size", freed.bytes());
    }
    root.put("reclaimed", result.reclaimed());
    root.put("dryRun", result.dryRun());
    ArrayNode errors = root.putArray("errors");
    result.errors().forEach(errors::add);
    return json(root);
  }

  static HttpResponse json(ObjectNode root) {
    return HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON,
        root.toString().getBytes(StandardCharsets.UTF_8)));
  }
}
