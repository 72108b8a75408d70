package io.layercake.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * What a {@link FakeRegistry} holds: per repository, blobs, manifests by digest, and tags. Blobs
 * are linked to repositories as on Docker Hub, so a blob pushed to one repository is unknown in
 * another. Thread-safe: tests change content while the server answers requests.
 */
final class FakeRegistryContent {

  /** A blob's bytes: in memory for small ones, a file for the 100 MB to 1 GB ones. */
  record BlobBytes(long size, byte[] bytes, Path file) {

    /** Opens the bytes from {@code offset} on; the caller closes the stream. */
    InputStream open(long offset) throws IOException {
      if (bytes != null) {
        return new ByteArrayInputStream(bytes, (int) offset, bytes.length - (int) offset);
      }
      FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
      channel.position(offset);
      return Channels.newInputStream(channel);
    }
  }

  /** A manifest as pushed: its bytes are served exactly as given. */
  record StoredManifest(String digest, String mediaType, byte[] bytes) {}

  private static final class Repository {
    final Map<String, BlobBytes> blobs = new ConcurrentHashMap<>();
    final Map<String, StoredManifest> manifests = new ConcurrentHashMap<>();
    final NavigableMap<String, String> tags = new ConcurrentSkipListMap<>();
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, Repository> repositories = new ConcurrentHashMap<>();

  String putBlob(String repo, byte[] bytes) {
    String digest = FakeRegistry.sha256(bytes);
    repository(repo).blobs.put(digest, new BlobBytes(bytes.length, bytes.clone(), null));
    return digest;
  }

  void putBlobFile(String repo, String digest, Path file) throws IOException {
    repository(repo).blobs.put(digest, new BlobBytes(Files.size(file), null, file));
  }

  String putManifest(String repo, String tag, String mediaType, byte[] bytes) {
    String digest = FakeRegistry.sha256(bytes);
    Repository repository = repository(repo);
    repository.manifests.put(digest, new StoredManifest(digest, mediaType, bytes.clone()));
    if (tag != null) {
      repository.tags.put(tag, digest);
    }
    return digest;
  }

  void removeTag(String repo, String tag) {
    repository(repo).tags.remove(tag);
  }

  void removeBlob(String repo, String digest) {
    repository(repo).blobs.remove(digest);
  }

  boolean exists(String repo) {
    Repository repository = repositories.get(repo);
    return repository != null
        && !(repository.blobs.isEmpty() && repository.manifests.isEmpty() && repository.tags.isEmpty());
  }

  Optional<BlobBytes> blob(String repo, String digest) {
    Repository repository = repositories.get(repo);
    return repository == null ? Optional.empty() : Optional.ofNullable(repository.blobs.get(digest));
  }

  /** The manifest a tag or digest names in {@code repo}. */
  Optional<StoredManifest> manifest(String repo, String reference) {
    Repository repository = repositories.get(repo);
    if (repository == null) {
      return Optional.empty();
    }
    String digest = reference.contains(":") ? reference : repository.tags.get(reference);
    return digest == null ? Optional.empty() : Optional.ofNullable(repository.manifests.get(digest));
  }

  /** Tags of {@code repo} in lexical order, as the distribution spec lists them. */
  List<String> tags(String repo) {
    Repository repository = repositories.get(repo);
    return repository == null ? List.of() : List.copyOf(repository.tags.keySet());
  }

  /**
   * The manifests of {@code repo} whose {@code subject} is {@code digest}, as referrers API
   * descriptors (with the artifact type the spec derives: the manifest's own, else its config's
   * media type), in digest order so that pages are stable.
   */
  List<ObjectNode> referrers(String repo, String digest) {
    Repository repository = repositories.get(repo);
    if (repository == null) {
      return List.of();
    }
    List<ObjectNode> found = new ArrayList<>();
    for (StoredManifest manifest : new TreeMap<>(repository.manifests).values()) {
      JsonNode json;
      try {
        json = JSON.readTree(manifest.bytes());
      } catch (IOException notJson) {
        continue;
      }
      if (!digest.equals(json.path("subject").path("digest").asText())) {
        continue;
      }
      ObjectNode descriptor = JSON.createObjectNode()
          .put("mediaType", manifest.mediaType())
          .put("digest", manifest.digest())
          .put("size", manifest.bytes().length);
      String artifactType = json.path("artifactType").asText(json.path("config").path("mediaType").asText(""));
      if (!artifactType.isEmpty()) {
        descriptor.put("artifactType", artifactType);
      }
      if (json.has("annotations")) {
        descriptor.set("annotations", json.get("annotations"));
      }
      found.add(descriptor);
    }
    return found;
  }

  private Repository repository(String repo) {
    return repositories.computeIfAbsent(repo, name -> new Repository());
  }
}
