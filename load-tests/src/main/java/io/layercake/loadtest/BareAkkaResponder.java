package io.layercake.loadtest;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.http.javadsl.Http;
import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RawHeader;
import akka.stream.Attributes;
import akka.stream.javadsl.FileIO;
import com.typesafe.config.ConfigFactory;
import io.layercake.testkit.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The framework's ceiling on this machine: a bare Akka HTTP server, in its own JVM with the
 * node's JVM options, that answers every manifest request with one ready-made response and serves
 * the blob with {@code FileIO}. It does nothing a registry must (no routing, validation, cache,
 * cluster or metrics), so layercake's figure over its figure is the share of the framework's speed
 * that layercake's own work leaves.
 */
final class BareAkkaResponder {

  static final String NAME = "bare Akka HTTP";
  /**
   * {@code FileIO}'s read size and read-ahead: the best of the fixed sizes tried here for one and
   * sixteen connections together (1 MiB reads ran its 256 MB heap out at sixteen).
   */
  private static final int CHUNK = 256 * 1024;
  private static final int BUFFER = 2;

  private BareAkkaResponder() {}

  /** Starts the responder in its own JVM, serving {@code manifest} (of {@code mediaType}) and {@code blob}. */
  static Mirror start(Path work, Path manifest, String mediaType, String manifestDigest, Path blob) throws Exception {
    int port = FreePorts.next();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(LayercakeMirror.JVM_OPTIONS);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), BareAkkaResponder.class.getName(),
        Integer.toString(port), manifest.toString(), mediaType, manifestDigest, blob.toString()));
    PeerProcess process = PeerProcess.start(NAME, "http://127.0.0.1:" + port, command, Files.createDirectories(work));
    return new Mirror() {
      @Override
      public String name() {
        return NAME;
      }

      @Override
      public List<String> urls() {
        return process.urls();
      }

      @Override
      public OptionalLong pid() {
        return process.pid();
      }

      @Override
      public void close() {
        process.close();
      }
    };
  }

  /** {@code port manifest-file media-type manifest-digest blob-file} */
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    byte[] manifest = Files.readAllBytes(Path.of(args[1]));
    ContentType type = ContentTypes.parse(args[2]);
    String digest = args[3];
    Path blob = Path.of(args[4]);
    long blobSize = Files.size(blob);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bare",
        ConfigFactory.parseString("akka.actor.provider = local\nakka.http.server.idle-timeout = 120s")
            .withFallback(ConfigFactory.defaultReference()));
    HttpResponse manifestResponse = HttpResponse.create()
        .withHeaders(List.of(RawHeader.create("Docker-Distribution-Api-Version", "registry/2.0"),
            RawHeader.create("Docker-Content-Digest", digest), RawHeader.create("Etag", "\"" + digest + "\"")))
        .withEntity(HttpEntities.create(type, manifest));
    HttpResponse base = HttpResponse.create().withEntity(ContentTypes.APPLICATION_JSON, "{}");
    akka.japi.function.Function<HttpRequest, CompletionStage<HttpResponse>> handler =
        request -> respond(request, manifestResponse, base, blob, blobSize);
    Http.get(system).newServerAt("127.0.0.1", port).bind(handler).toCompletableFuture().get();
  }

  private static CompletionStage<HttpResponse> respond(HttpRequest request, HttpResponse manifest, HttpResponse base,
      Path blob, long blobSize) {
    String path = request.getUri().path();
    HttpResponse response;
    if (path.contains("/manifests/")) {
      response = manifest;
    } else if (path.contains("/blobs/")) {
      response = HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.APPLICATION_OCTET_STREAM, blobSize,
          FileIO.fromPath(blob, CHUNK).addAttributes(Attributes.inputBuffer(1, BUFFER))));
    } else if (path.equals("/v2/")) {
      response = base;
    } else {
      response = HttpResponse.create().withStatus(StatusCodes.NOT_FOUND);
    }
    return CompletableFuture.completedFuture(response);
  }
}
