package io.layercake.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A node's {@code GET /admin/cluster} answer, parsed: the view of the cluster that operators get.
 *
 * @param self the answering node's remoting address, {@code host:port}
 * @param dataPlane {@code proxy} or {@code redirect}
 * @param coordinator the oldest Up member as the answering node sees it ({@code host:port}, where
 *     its shard coordinators run), or empty if it sees none
 * @param members every member the answering node knows
 * @param json the raw answer, for failure messages
 */
public record ClusterReport(String self, String dataPlane, String coordinator, List<Member> members, String json) {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2))
      .build();

  /**
   * One member as the report shows it.
   *
   * @param address its remoting address, {@code host:port}
   * @param status Akka's member status ({@code Up}, {@code Leaving}, ...)
   * @param reachable whether the answering node's failure detector reaches it
   * @param url its advertised registry URL
   * @param blobShards the blob shards it hosts
   * @param tagShards the tag shards it hosts
   * @param blobBytes the blob bytes on its disk, or -1 if it did not answer
   */
  public record Member(String address, String status, boolean reachable, String url, int blobShards,
      int tagShards, long blobBytes) {}

  /** Makes the member list immutable. */
  public ClusterReport {
    members = List.copyOf(members);
  }

  /** Asks the node at {@code nodeUrl}; fails if it does not answer 200. */
  public static ClusterReport fetch(String nodeUrl, String adminToken) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(nodeUrl + "/admin/cluster"))
        .header("Authorization", "Bearer " + adminToken)
        .timeout(Duration.ofSeconds(10))
        .build();
    HttpResponse<String> response;
    try {
      response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + nodeUrl + "/admin/cluster", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    if (response.statusCode() != 200) {
      throw new IllegalStateException("GET " + nodeUrl + "/admin/cluster answered "
          + response.statusCode() + ": " + response.body());
    }
    return parse(response.body());
  }

  /** The same, or empty if the node does not answer (yet, or any more). */
  public static Optional<ClusterReport> tryFetch(String nodeUrl, String adminToken) {
    try {
      return Optional.of(fetch(nodeUrl, adminToken));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Parses a report. */
  public static ClusterReport parse(String json) {
    try {
      JsonNode root = JSON.readTree(json);
      List<Member> members = new ArrayList<>();
      for (JsonNode member : root.path("members")) {
        members.add(new Member(member.path("address").asText(), member.path("status").asText(),
            member.path("reachable").asBoolean(true), member.path("url").asText(), member.path("shards").path("blob").asInt(),
            member.path("shards").path("tag").asInt(),
            member.path("blobBytes").isNumber() ? member.path("blobBytes").asLong() : -1));
      }
      return new ClusterReport(root.path("self").asText(), root.path("dataPlane").asText(),
          root.path("coordinator").asText(""), members, json);
    } catch (IOException e) {
      throw new UncheckedIOException("not a cluster report: " + json, e);
    }
  }

  /** Whether the report lists exactly {@code count} members and all of them are Up. */
  public boolean hasUpMembers(int count) {
    return members.size() == count && members.stream().allMatch(m -> m.status().equals("Up"));
  }

  /** The member whose advertised URL is {@code url}. */
  public Optional<Member> memberAt(String url) {
    return members.stream().filter(m -> m.url().equals(url)).findFirst();
  }
}
