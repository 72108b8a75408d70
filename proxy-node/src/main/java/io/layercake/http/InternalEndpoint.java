package io.layercake.http;

import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.headers.RawHeader;
import io.layercake.Json;
import io.layercake.Secrets;
import io.layercake.UpstreamName;
import io.layercake.admin.AdminApi;
import io.layercake.cluster.ClusterReport;
import io.layercake.cluster.ClusterSettings;
import io.layercake.cluster.PeerClient;
import io.layercake.manifest.Manifests;
import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import io.layercake.oci.RepositoryName;
import io.layercake.oci.Tag;
import io.layercake.storage.BlobStore;
import io.layercake.storage.TagIndex;
import io.layercake.upstream.SpentPulls;
import io.layercake.upstream.Upstreams;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * {@code /internal/...}: what nodes ask each other for. Only cluster members may use it: a
 * request must carry the shared cluster secret, and with no secret configured the endpoint
 * refuses everything. It serves only what this node already holds and never triggers a fetch.
 */
record InternalEndpoint(ClusterSettings cluster, BlobEndpoint blobs, Manifests manifests, BlobStore store,
    TagIndex tagIndex, Executor blockingExecutor, AdminApi admin, Upstreams upstreams) {

  CompletionStage<HttpResponse> serve(HttpRequest request, boolean head) {
    authenticate(request);
    String path = request.getUri().path();
    if (path.startsWith(PeerClient.BLOBS_PATH)) {
      Digest digest = Digest.parse(path.substring(PeerClient.BLOBS_PATH.length()));
      boolean committedOnly = request.getUri().query().get("committed").map("true"::equals).orElse(false);
      return blobs.serveHeld(request, head, digest, committedOnly);
    }
    if (path.startsWith(PeerClient.MANIFESTS_PATH)) {
      Digest digest = Digest.parse(path.substring(PeerClient.MANIFESTS_PATH.length()));
      return manifests.findLocal(digest).thenApply(found -> found
          .map(m -> HttpResponse.create()
              .withHeaders(List.of(Responses.API_VERSION,
                  RawHeader.create("Docker-Content-Digest", m.digest().toString())))
              .withEntity(HttpEntities.create(Responses.contentType(m.mediaType()), m.bytes())))
          .orElseThrow(() -> new OciException(ErrorCode.MANIFEST_UNKNOWN,
              "manifest not held by this node", digest.toString())));
    }
    if (path.equals(PeerClient.HISTORY_PATH)) {
      UpstreamName upstream = upstreamParameter(request);
      RepositoryName repository = RepositoryName.parse(request.getUri().query().get("repository").orElse(""));
      Tag tag = Tag.parse(request.getUri().query().get("tag").orElse(""));
      return admin.nodeHistory(upstream, repository, tag).thenApply(json -> Responses.json(json, List.of()));
    }
    if (path.equals(PeerClient.TAGS_PATH)) {
      UpstreamName upstream = upstreamParameter(request);
      RepositoryName repository = RepositoryName.parse(request.getUri().query().get("repository").orElse(""));
      Tag tag = Tag.parse(request.getUri().query().get("tag").orElse(""));
      return CompletableFuture.supplyAsync(() -> tagIndex.get(upstream, repository, tag.value())
          .map(record -> Responses.json(Json.bytes(record), List.of()))
          .orElseThrow(() -> new OciException(ErrorCode.MANIFEST_UNKNOWN, "tag not known to this node",
              repository + ":" + tag)), blockingExecutor);
    }
    if (path.equals(PeerClient.PULLS_PATH)) {
      return CompletableFuture.completedFuture(Responses.json(Json.bytes(SpentPulls.of(upstreams)),
          List.of()));
    }
    if (path.equals(PeerClient.STATS_PATH)) {
      return CompletableFuture.completedFuture(Responses.json(
          Json.bytes(new ClusterReport.Storage(store.usedBlobs(), store.usedBytes())), List.of()));
    }
    throw new OciException(ErrorCode.NAME_UNKNOWN, "no such endpoint", "unknown internal path");
  }

  private static UpstreamName upstreamParameter(HttpRequest request) {
    String upstream = request.getUri().query().get("upstream").orElse("");
    try {
      return UpstreamName.of(upstream);
    } catch (IllegalArgumentException e) {
      throw new OciException(ErrorCode.NAME_INVALID, "invalid upstream name", upstream);
    }
  }

  private void authenticate(HttpRequest request) {
    String presented = request.getHeader(PeerClient.SECRET_HEADER).map(h -> h.value()).orElse("");
    boolean valid = !cluster.secret().isEmpty() && Secrets.equal(presented, cluster.secret());
    if (!valid) {
      throw new OciException(ErrorCode.DENIED, "the internal endpoint serves cluster members only",
          "missing or wrong " + PeerClient.SECRET_HEADER);
    }
  }
}
