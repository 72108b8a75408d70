package io.layercake.cluster;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.http.javadsl.ConnectionContext;
import akka.http.javadsl.HttpsConnectionContext;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.headers.RawHeader;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import com.fasterxml.jackson.databind.JsonNode;
import io.layercake.Futures;
import io.layercake.Json;
import io.layercake.UpstreamName;
import io.layercake.oci.Digest;
import io.layercake.tls.ReloadingSslContext;
import io.layercake.tls.TlsContexts;
import io.layercake.transport.ConnectionSettings;
import io.layercake.transport.HttpTransport;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Implementation notes
 *
 * Nodes talk to each other over the same HTTP port as clients, under /internal/, with the shared
 * cluster secret in a header. Two uses:
 *
 * - Proxy data plane: a node that does not own a blob streams it from the owner's growing or
 *   complete file, so every node can serve every blob and the upstream is still asked once.
 * - Peers before upstream: a node about to fill a blob (a new owner after a rebalance, or after
 *   a node came back) first asks the other nodes whether one holds it, and copies it from there.
 *   The copy goes through the same BlobWriter as an upstream fill, so it is verified too.
 *
 * Peer answers are never trusted for content: sizes and digests are checked by the writer, and a
 * peer that fails or times out is simply skipped in favour of the next source.
 */

/** The HTTP client for other nodes' internal endpoints. */
public final class PeerClient {

  /** The header carrying the cluster secret. */
  public static final String SECRET_HEADER = "X-Layercake-Cluster-Secret";

  /** Internal path of a blob a node holds: committed, or filling on that node. */
  public static final String BLOBS_PATH = "/internal/blobs/";

  /** Internal path of a manifest a node holds. */
  public static final String MANIFESTS_PATH = "/internal/manifests/";

  /** Internal path of what a node knows of a tag: {@code ?upstream=&repository=&tag=}. */
  public static final String TAGS_PATH = "/internal/tags";

  /** Internal path of a node's part of a tag's history: {@code ?upstream=&repository=&tag=}. */
  public static final String HISTORY_PATH = "/internal/history";

  /** Internal path of the manifest GETs a node counted against each upstream's pull limit. */
  public static final String PULLS_PATH = "/internal/pulls";

  /** Internal path of a node's storage totals, {@code {"blobs":N,"blobBytes":N}}. */
  public static final String STATS_PATH = "/internal/stats";

  private static final Logger log = LoggerFactory.getLogger(PeerClient.class);
  /** A failure sooner than this is the connection's, not the peer's: worth one more try. */
  private static final Duration FAST_FAILURE = Duration.ofSeconds(1);
  private final PeerDirectory directory;
  private final ClusterSettings settings;
  private final HttpTransport http;
  private final long maxManifestSize;

  /**
   * A client for the peers in {@code directory}, with connection settings derived from the
   * upstream client's ({@code upstream}): the same connect and idle timeouts, the peer timeout for
   * response headers, and a pool sized for blobs that stream for minutes. Manifests from peers
   * are capped at {@code maxManifestSize}, as upstream's are.
   */
  public PeerClient(ActorSystem<?> system, PeerDirectory directory, ClusterSettings settings,
      ConnectionSettings upstream, long maxManifestSize) {
    this.directory = directory;
    this.settings = settings;
    this.maxManifestSize = maxManifestSize;
    ConnectionSettings peers = new ConnectionSettings(upstream.connectTimeout(), settings.peerTimeout(),
        upstream.idleTimeout(), settings.peerMaxConnections(),
        Integer.highestOneBit(settings.peerMaxConnections() * 4), upstream.bodySubscriptionTimeout());
    this.http = settings.internalTls()
        ? new HttpTransport(system, peers, mutualTls(settings.tls().orElseThrow().reloading()))
        : new HttpTransport(system, peers);
  }

  /**
   * Connections to other nodes' internal listeners present this node's certificate and trust only
   * the cluster's CA; each new connection takes the certificate as it is on disk now.
   */
  private static HttpsConnectionContext mutualTls(ReloadingSslContext context) {
    return ConnectionContext.httpsClient((host, port) ->
        TlsContexts.clusterClientEngine(context.current(), host, port, "the node-to-node listener"));
  }

  /** Releases a peer response whose body will not be read. */
  public void discard(HttpResponse response) {
    http.discard(response);
  }

  /** The directory of peers. */
  public PeerDirectory directory() {
    return directory;
  }

  /**
   * Sends {@code method path} to the node at {@code baseUrl}, with the cluster secret. The
   * response entity is the caller's to consume or discard.
   */
  public CompletionStage<HttpResponse> send(String baseUrl, akka.http.javadsl.model.HttpMethod method,
      String path, List<HttpHeader> headers) {
    List<HttpHeader> all = new ArrayList<>(headers);
    all.add(RawHeader.create(SECRET_HEADER, settings.secret()));
    String target;
    try {
      target = directory.internalBaseUrl(baseUrl) + path;
    } catch (IllegalStateException gone) {
      return CompletableFuture.failedFuture(gone);
    }
    HttpRequest request = HttpRequest.create(target).withMethod(method).addHeaders(all);
    long started = System.nanoTime();
    return http.send(request).handle((response, error) -> {
      if (error == null) {
        return CompletableFuture.completedFuture(response);
      }
      // A pooled connection that was just torn down (a body another client hung up on closes its
      // connection) fails the next request at once, before the peer saw it, and Akka's own
      // retries are off (transport.HttpTransport). Every internal request is a GET or a HEAD, so
      // it is sent once more; a peer that does not answer fails at the timeout and is not asked
      // twice. (A proxied pull right after a hung-up one answered 503 without this.)
      return System.nanoTime() - started < FAST_FAILURE.toNanos()
          ? http.send(request) : CompletableFuture.<HttpResponse>failedFuture(error);
    }).thenCompose(sent -> sent).thenApply(response -> {
      if (response.status().intValue() == 403) {
        // Not "the peer lacks it": the nodes disagree on layercake.cluster.secret, and blob
        // transfers between them fail until an operator fixes it.
        log.warn("Node {} refused this node's cluster secret: check layercake.cluster.secret"
            + " (LAYERCAKE_CLUSTER_SECRET) is the same on every node", baseUrl);
      }
      return response;
    });
  }

  /**
   * How long a peer request waits for its response headers, and an operator's question to the
   * other nodes for their answer ({@code layercake.cluster.peer-timeout}).
   */
  public Duration timeout() {
    return settings.peerTimeout();
  }

  /**
   * A committed copy of the blob from the first peer that holds one, from byte {@code offset} on,
   * or empty if none does. The body is not verified here: whoever writes it must check size and
   * digest. The size is the whole blob's, whatever the offset.
   */
  public CompletionStage<Optional<PeerBlob>> blobFromPeers(Digest digest, long offset) {
    List<HttpHeader> range = offset == 0 ? List.of() : List.of(RawHeader.create("Range", "bytes=" + offset + "-"));
    return firstHolder(BLOBS_PATH + digest + "?committed=true", range, directory.peerUrls(), 0)
        .thenApply(found -> found.flatMap(response -> {
          long length = response.entity().getContentLengthOption().orElse(-1L);
          boolean whole = offset == 0 && response.status().intValue() == 200;
          boolean rest = offset > 0 && response.status().intValue() == 206;
          if (length < 0 || !(whole || rest)) {
            http.discard(response);
            return Optional.empty();
          }
          Source<ByteString, NotUsed> body = response.entity().getDataBytes()
              .mapMaterializedValue(m -> NotUsed.getInstance());
          // Not wanted after all: close the connection rather than drain a whole blob.
          return Optional.of(new PeerBlob(offset + length, body, () -> http.cancel(response.entity())));
        }));
  }

  /** The manifest from the first peer that holds it, or empty. Bytes are not verified here. */
  public CompletionStage<Optional<PeerManifest>> manifestFromPeers(Digest digest) {
    return firstHolder(MANIFESTS_PATH + digest, List.of(), directory.peerUrls(), 0)
        .thenCompose(found -> {
          if (found.isEmpty()) {
            return CompletableFuture.completedFuture(Optional.<PeerManifest>empty());
          }
          HttpResponse response = found.get();
          String mediaType = response.entity().getContentType().mediaType().toString();
          return http.readSmall(response.entity(), maxManifestSize)
              .thenApply(bytes -> Optional.of(new PeerManifest(digest, mediaType, bytes)))
              .exceptionally(error -> Optional.empty());
        });
  }

  /**
   * What the other nodes know of a tag: the most recently validated record any of them holds
   * (a tag's entity moves with its shard, but its journal stays on the node it ran on).
   */
  public CompletionStage<Optional<PeerTag>> tagFromPeers(UpstreamName upstream, String repository, String tag) {
    return Futures.all(directory.peerUrls().stream()
            .map(peer -> getSmall(peer, TAGS_PATH + tagQuery(upstream, repository, tag), 64 * 1024)
                .thenApply(body -> body.flatMap(PeerClient::parseTag)))
            .toList())
        .thenApply(answers -> answers.stream().flatMap(Optional::stream)
            .max(Comparator.comparingLong(PeerTag::validatedAt)));
  }

  /**
   * The body of {@code GET path} from the node at {@code baseUrl}, read whole up to
   * {@code maxBytes}; empty if the node answered anything but 200, or not in time. Cluster views
   * use it, where a node that cannot answer shows as unknown rather than failing the view.
   */
  public CompletionStage<Optional<byte[]>> getSmall(String baseUrl, String path, long maxBytes) {
    return send(baseUrl, HttpMethods.GET, path, List.of())
        .thenCompose(response -> {
          if (response.status().intValue() != 200) {
            // A refusal's error JSON is not the answer asked for.
            http.discard(response);
            return CompletableFuture.completedFuture(Optional.<byte[]>empty());
          }
          return http.readSmall(response.entity(), maxBytes).thenApply(Optional::of);
        })
        .exceptionally(error -> Optional.empty());
  }

  /** The query naming a tag on the tag and history paths. */
  public static String tagQuery(UpstreamName upstream, String repository, String tag) {
    return "?upstream=" + encode(upstream.value()) + "&repository=" + encode(repository) + "&tag=" + encode(tag);
  }

  private static Optional<PeerTag> parseTag(byte[] json) {
    try {
      JsonNode node = Json.MAPPER.readTree(json);
      return Optional.of(new PeerTag(Digest.parse(node.path("digest").asText()),
          node.path("mediaType").asText(), node.path("validatedAt").asLong()));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** Asks the peers one after another; the first 200 or 206 wins, every other response is drained. */
  private CompletionStage<Optional<HttpResponse>> firstHolder(String path, List<HttpHeader> headers,
      List<String> peers, int index) {
    if (index >= peers.size()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    String peer = peers.get(index);
    return send(peer, HttpMethods.GET, path, headers)
        .handle((response, error) -> {
          if (error != null) {
            log.debug("Peer {} did not answer for {}: {}", peer, path, error.toString());
            return Optional.<HttpResponse>empty();
          }
          int status = response.status().intValue();
          if (status != 200 && status != 206) {
            http.discard(response);
            return Optional.<HttpResponse>empty();
          }
          return Optional.of(response);
        })
        .thenCompose(found -> found.isPresent()
            ? CompletableFuture.completedFuture(found)
            : firstHolder(path, headers, peers, index + 1));
  }

  /**
   * A blob streaming from a peer.
   *
   * @param size its length, from the peer's Content-Length
   * @param body the bytes; run it once, or call {@code discard}
   * @param discard releases the connection if the body is not wanted
   */
  public record PeerBlob(long size, Source<ByteString, NotUsed> body, Runnable discard) {}

  /**
   * What a peer knows of a tag.
   *
   * @param digest the manifest it pointed at
   * @param mediaType that manifest's media type
   * @param validatedAt when upstream last confirmed it, epoch milliseconds
   */
  public record PeerTag(Digest digest, String mediaType, long validatedAt) {}

  /**
   * A manifest held by a peer.
   *
   * @param digest the digest it was asked for
   * @param mediaType the media type the peer served it with
   * @param bytes its bytes, to be verified against the digest before use
   */
  public record PeerManifest(Digest digest, String mediaType, byte[] bytes) {}
}
