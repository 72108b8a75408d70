package io.layercake.admin;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import io.layercake.Json;
import io.layercake.Secrets;
import io.layercake.UpstreamName;
import io.layercake.blob.BlobFinder;
import io.layercake.cluster.ClusterStatus;
import io.layercake.events.EventLog;
import io.layercake.eviction.ClusterCache;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import io.layercake.oci.RepositoryName;
import io.layercake.oci.Tag;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The operator's JSON API under {@code /admin/}. Every request needs the configured bearer token;
 * with no token configured the whole API is off, so a node never exposes it by accident.
 */
public final class AdminApi {

  /** The one path whose endpoint reads the request body itself (an upload). */
  private static final String LOAD_PATH = "/admin/load";

  /** One endpoint: answers its request, or throws an {@link OciException}. */
  private interface Endpoint {
    CompletionStage<HttpResponse> serve(HttpRequest request);
  }

  private final ActorSystem<?> system;
  private final AdminSettings settings;
  private final TagHistory tagHistory;
  private final Map<String, Endpoint> endpoints;

  /** The admin API of the node running {@code system}. */
  public AdminApi(ActorSystem<?> system, AdminSettings settings, ClusterStatus clusterStatus,
      ImageServices services, ClusterCache cache, EventLog events) {
    this.system = system;
    this.settings = settings;
    this.tagHistory = new TagHistory(system, services);
    ImageResolver resolver = new ImageResolver(system, services);
    BlobFinder blobs = new BlobFinder(system, services.fills());
    ImageVerbSettings verbSettings = ImageVerbSettings.fromConfig(system.settings().config());
    this.endpoints = Map.ofEntries(
        Map.entry("/admin/images", new ImagesEndpoint(cache)::serve),
        Map.entry("/admin/rmi", new RmiEndpoint(cache, resolver)::serve),
        Map.entry("/admin/prune", new PruneEndpoint(cache)::serve),
        Map.entry("/admin/pins", new PinsEndpoint(cache, resolver)::serve),
        Map.entry("/admin/cluster", request -> {
          AdminRequest.of(request, HttpMethods.GET, Set.of());
          return clusterStatus.report().thenApply(AdminRequest::json);
        }),
        Map.entry("/admin/upstreams", new UpstreamsEndpoint(services.upstreams(), services.peers())::serve),
        Map.entry("/admin/pull", new PullEndpoint(resolver, blobs)::serve),
        Map.entry("/admin/events", new EventsEndpoint(events, services.blocking())::serve),
        Map.entry("/admin/save", new SaveEndpoint(resolver, blobs)::serve),
        Map.entry(LOAD_PATH, new LoadEndpoint(system, services, resolver, verbSettings)::serve),
        Map.entry("/admin/inspect", new InspectEndpoint(resolver, blobs, tagHistory, services,
            verbSettings.maxJsonSize())::serve),
        Map.entry("/admin/history", new HistoryEndpoint(resolver, services, tagHistory)::serve));
  }

  /**
   * Answers one {@code /admin/...} request; failures are {@link OciException}s. The request's
   * entity is consumed here: streamed by the endpoint that takes a body, discarded for the others.
   */
  public CompletionStage<HttpResponse> serve(HttpRequest request) {
    String path = request.getUri().path();
    boolean streamsBody = path.equals(LOAD_PATH);
    if (!streamsBody) {
      request.discardEntityBytes(system);
    }
    try {
      authenticate(request);
    } catch (OciException refused) {
      if (streamsBody) {
        request.discardEntityBytes(system);
      }
      throw refused;
    }
    Endpoint endpoint = endpoints.get(path);
    if (endpoint == null) {
      throw new OciException(ErrorCode.NAME_UNKNOWN, "no such admin endpoint", path);
    }
    return endpoint.serve(request);
  }

  /**
   * This node's part of a tag's history, for another node assembling the cluster's view (served
   * on the internal endpoint, so nodes never forward an operator's admin token).
   */
  public CompletionStage<byte[]> nodeHistory(UpstreamName upstream, RepositoryName repository, Tag tag) {
    return tagHistory.local(upstream, repository, tag)
        .thenApply(entries -> Json.bytes(new AdminAnswers.History(repository + ":" + tag.value(), entries)));
  }

  private void authenticate(HttpRequest request) {
    if (!settings.enabled()) {
      throw new OciException(ErrorCode.UNAUTHORIZED, "the admin API is off",
          "set layercake.admin.token (LAYERCAKE_ADMIN_TOKEN) to turn it on");
    }
    String presented = request.getHeader("Authorization").map(h -> h.value()).orElse("");
    if (!Secrets.equal(presented, "Bearer " + settings.token())) {
      throw new OciException(ErrorCode.UNAUTHORIZED, "admin token required",
          "send Authorization: Bearer <layercake.admin.token>");
    }
  }
}
