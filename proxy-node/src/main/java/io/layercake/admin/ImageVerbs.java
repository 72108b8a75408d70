package io.layercake.admin;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import io.layercake.oci.RepositoryName;
import io.layercake.oci.Tag;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;

/**
 * The image verbs of the admin API, each in its own endpoint class: {@code /admin/pull} (prewarm),
 * {@code /admin/save}, {@code /admin/load}, {@code /admin/inspect} and {@code /admin/history}.
 */
final class ImageVerbs {

  static final String PULL_PATH = "/admin/pull";
  static final String SAVE_PATH = "/admin/save";
  static final String LOAD_PATH = "/admin/load";
  static final String INSPECT_PATH = "/admin/inspect";
  static final String HISTORY_PATH = "/admin/history";

  private final PullEndpoint pull;
  private final SaveEndpoint save;
  private final LoadEndpoint load;
  private final InspectEndpoint inspect;
  private final HistoryEndpoint history;
  private final TagHistory tagHistory;

  ImageVerbs(ActorSystem<?> system, ImageServices services) {
    ImageResolver resolver = new ImageResolver(system, services);
    ClusterBlobs blobs = new ClusterBlobs(system, services);
    this.pull = new PullEndpoint(resolver, blobs);
    this.save = new SaveEndpoint(resolver, blobs);
    ImageVerbSettings settings = ImageVerbSettings.fromConfig(system.settings().config());
    this.load = new LoadEndpoint(system, services, resolver, settings);
    this.tagHistory = new TagHistory(system, services);
    this.inspect = new InspectEndpoint(system, resolver, blobs, tagHistory, services, settings.maxJsonSize());
    this.history = new HistoryEndpoint(resolver, services, tagHistory);
  }

  /** This node's part of a tag's history, as {@code {"history":[...]}} (for other nodes). */
  CompletionStage<byte[]> nodeHistory(String upstream, RepositoryName repository, Tag tag) {
    return tagHistory.local(upstream, repository, tag).thenApply(entries -> {
      ObjectNode root = JsonNodeFactory.instance.objectNode();
      root.set("history", HistoryEndpoint.entriesJson(entries));
      return root.toString().getBytes(StandardCharsets.UTF_8);
    });
  }

  /** Whether {@code path} is one of these verbs. */
  boolean handles(String path) {
    return path.equals(PULL_PATH) || path.equals(SAVE_PATH) || path.equals(LOAD_PATH)
        || path.equals(INSPECT_PATH) || path.equals(HISTORY_PATH);
  }

  /** Whether the endpoint at {@code path} reads the request body itself (an upload). */
  boolean streamsBody(String path) {
    return path.equals(LOAD_PATH);
  }

  CompletionStage<HttpResponse> serve(HttpRequest request) {
    switch (request.getUri().path()) {
      case PULL_PATH:
        return pull.serve(request);
      case SAVE_PATH:
        return save.serve(request);
      case LOAD_PATH:
        return load.serve(request);
      case INSPECT_PATH:
        return inspect.serve(request);
      case HISTORY_PATH:
        return history.serve(request);
      default:
        throw new OciException(ErrorCode.NAME_UNKNOWN, "no such admin endpoint", request.getUri().path());
    }
  }
}
