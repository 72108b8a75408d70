package io.layercake.admin;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import io.layercake.Secrets;
import io.layercake.cluster.ClusterStatus;
import io.layercake.eviction.ClusterCache;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import io.layercake.oci.RepositoryName;
import io.layercake.oci.Tag;
import java.util.concurrent.CompletionStage;

/**
 * The operator's JSON API under {@code /admin/}. Every request needs the configured bearer token;
 * with no token configured the whole API is off, so a node never exposes it by accident.
 */
public final class AdminApi {

  private final ActorSystem<?> system;
  private final AdminSettings settings;
  private final ClusterStatus clusterStatus;
  private final ImageVerbs imageVerbs;
  private final ImagesEndpoint images;
  private final RmiEndpoint rmi;
  private final PruneEndpoint prune;
  private final PinsEndpoint pins;

  /** The admin API of the node running {@code system}. */
  public AdminApi(ActorSystem<?> system, AdminSettings settings, ClusterStatus clusterStatus,
      ImageServices imageServices, ClusterCache cache) {
    this.system = system;
    this.settings = settings;
    this.clusterStatus = clusterStatus;
    this.imageVerbs = new ImageVerbs(system, imageServices);
    this.images = new ImagesEndpoint(cache);
    this.rmi = new RmiEndpoint(cache);
    this.prune = new PruneEndpoint(cache);
    this.pins = new PinsEndpoint(cache);
  }

  /**
   * Answers one {@code /admin/...} request; failures are {@link OciException}s. The request's
   * entity is consumed here: streamed by the endpoints that take a body, discarded by the others.
   */
  public CompletionStage<HttpResponse> serve(HttpRequest request) {
    String path = request.getUri().path();
    boolean streamsBody = imageVerbs.streamsBody(path);
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
    if (imageVerbs.handles(path)) {
      return imageVerbs.serve(request);
    }
    if (path.equals("/admin/cluster")) {
      AdminRequests.requireMethod(request, HttpMethods.GET);
      return clusterStatus.report().thenApply(AdminApi::json);
    }
    switch (path) {
      case "/admin/images":
        return images.serve(request);
      case "/admin/rmi":
        return rmi.serve(request);
      case "/admin/prune":
        return prune.serve(request);
      case "/admin/pins":
        return pins.serve(request);
      default:
        break;
    }
    throw new OciException(ErrorCode.NAME_UNKNOWN, "no such admin endpoint", path);
  }

  /**
   * This node's part of a tag's history as JSON, for another node assembling the cluster's view
   * (served on the internal endpoint, so nodes never forward an operator's admin token).
   */
  public CompletionStage<byte[]> nodeHistory(String upstream, RepositoryName repository, Tag tag) {
    return imageVerbs.nodeHistory(upstream, repository, tag);
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

  private static HttpResponse json(byte[] body) {
    return HttpResponse.create().withEntity(
        HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
  }
}
