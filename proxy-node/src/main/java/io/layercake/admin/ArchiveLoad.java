package io.layercake.admin;

import io.layercake.archive.ArchiveJson;
import io.layercake.archive.Descriptor;
import io.layercake.archive.TarEntry;
import io.layercake.archive.TarReader;
import io.layercake.manifest.ManifestContent;
import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.ImageReference;
import io.layercake.oci.MediaType;
import io.layercake.oci.OciException;
import io.layercake.storage.BlobStore;
import io.layercake.storage.BlobWriter;
import io.layercake.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/*
 * Implementation notes
 *
 * Two phases, so that a bad archive commits nothing:
 *
 * 1. Read (streaming, one pass): every member named blobs/sha256/<hex> goes through a BlobWriter
 *    for that digest and is verified (size and sha256) as soon as its last byte is in, but not
 *    committed. JSON files (index.json, manifest.json, "<id>.json" configs) are kept in memory,
 *    up to max-json-size each. Any other file (the "<id>/layer.tar" of docker's legacy format,
 *    whose digest nothing names in advance) is spooled to tmp/ while it is hashed. A blob this
 *    node already holds is skipped, not rewritten.
 * 2. Plan and commit: the images are worked out from index.json (preferred: it names the real
 *    registry manifests) or else manifest.json. Every blob a manifest refers to must be in the
 *    archive or already on this node, with the size the manifest says. Only then are the verified
 *    temp files committed, the spooled ones copied through a BlobWriter (verified again), and the
 *    manifests stored with their media types.
 *
 * Everything lives under tmp/ until committed, so a crash at any point leaves nothing that
 * start-up recovery does not remove.
 *
 * docker's legacy format has uncompressed layers and no registry manifest: the plan builds an OCI
 * manifest whose layer descriptors are the layer files as stored (application/vnd.oci.image.
 * layer.v1.tar, or +gzip / +zstd when the file is compressed), so the image pulls with digests
 * that differ from the registry it once came from, but are consistent with what is stored.
 */

/** One {@code load} of an image archive into this node's store. Not thread-safe: one load, one thread. */
final class ArchiveLoad implements AutoCloseable {

  private static final int COPY_CHUNK = 256 * 1024;
  private static final Set<String> IN_MEMORY = Set.of(ArchiveJson.INDEX, ArchiveJson.DOCKER_MANIFEST,
      ArchiveJson.OCI_LAYOUT, "repositories");

  private final BlobStore store;
  private final Path tmpDir;
  private final long maxJsonSize;
  private final Map<String, Content> byName = new HashMap<>();
  private final Map<Digest, Content> byDigest = new HashMap<>();
  private final Map<String, String> links = new HashMap<>();
  /** Leases on the blobs the node already holds, so eviction keeps them until the load has tagged. */
  private final List<Runnable> leases = new ArrayList<>();

  ArchiveLoad(BlobStore store, Path tmpDir, long maxJsonSize) {
    this.store = store;
    this.tmpDir = tmpDir;
    this.maxJsonSize = maxJsonSize;
  }

  /** Phase 1: reads the whole archive, verifying named blobs and spooling the rest. */
  void read(InputStream in) throws IOException {
    TarReader tar = new TarReader(in);
    for (Optional<TarEntry> next = tar.next(); next.isPresent(); next = tar.next()) {
      TarEntry entry = next.get();
      if (entry.isLink()) {
        links.put(entry.name(), resolveLinkTarget(entry));
        continue;
      }
      if (!entry.isFile()) {
        continue;
      }
      Content content = readMember(entry, tar.content());
      byName.put(entry.name(), content);
      byDigest.putIfAbsent(content.digest(), content);
    }
    if (byName.isEmpty()) {
      throw invalid("the archive holds no files");
    }
  }

  /** Phase 2a: works out the images, checking that everything they need is here. Commits nothing. */
  Plan plan() {
    Optional<byte[]> index = json(ArchiveJson.INDEX);
    Optional<byte[]> docker = json(ArchiveJson.DOCKER_MANIFEST);
    if (index.isPresent()) {
      return planFromIndex(index.get(), docker);
    }
    if (docker.isPresent()) {
      return planFromDockerManifest(docker.get());
    }
    throw invalid("the archive has neither index.json nor manifest.json: not a docker save or OCI layout");
  }

  /** Phase 2b: commits the blobs the plan needs; returns the number of blobs and bytes committed. */
  Committed commit(Plan plan) throws IOException {
    int blobs = 0;
    long bytes = 0;
    for (Digest digest : plan.blobs()) {
      Content content = byDigest.get(digest);
      if (content == null || content instanceof Held) {
        continue;
      }
      commitBlob(content);
      blobs++;
      bytes += content.size();
    }
    return new Committed(blobs, bytes);
  }

  /**
   * Hands the leases on already-held blobs to the caller, who releases them once the images are
   * tagged: until then eviction could take a layer the loaded image needs.
   */
  Runnable handOverLeases() {
    List<Runnable> taken = List.copyOf(leases);
    leases.clear();
    return () -> taken.forEach(Runnable::run);
  }

  /** Drops every temp file that was not committed, and the leases not handed over. */
  @Override
  public void close() {
    for (Content content : byName.values()) {
      content.discard();
    }
    handOverLeases().run();
  }

  /** The blob if this node holds it, leased first so that it cannot be evicted after the lookup. */
  private Optional<Held> held(Digest digest) {
    Runnable lease = store.lease(digest);
    Optional<Held> held = store.find(digest).map(blob -> new Held(digest, blob.size()));
    if (held.isPresent()) {
      leases.add(lease);
    } else {
      lease.run();
    }
    return held;
  }

  private Content readMember(TarEntry entry, InputStream data) throws IOException {
    Optional<Digest> named = ArchiveJson.digestOfPath(entry.name());
    if (named.isPresent()) {
      Digest digest = named.get();
      Optional<Held> held = held(digest);
      if (held.isPresent()) {
        return held.get();
      }
      return verifiedBlob(entry, digest, data);
    }
    if (IN_MEMORY.contains(entry.name()) || entry.name().endsWith(".json")) {
      if (entry.size() > maxJsonSize) {
        throw invalid(entry.name() + " is " + entry.size() + " bytes, more than layercake.admin.images.max-json-size");
      }
      byte[] bytes = data.readAllBytes();
      return new Small(Digest.ofSha256Bytes(sha256().digest(bytes)), bytes);
    }
    return spool(data, entry.size());
  }

  private Content verifiedBlob(TarEntry entry, Digest digest, InputStream data) throws IOException {
    BlobWriter writer = store.newWriter(digest, entry.size());
    try {
      byte[] buffer = new byte[COPY_CHUNK];
      for (int n = data.read(buffer); n >= 0; n = data.read(buffer)) {
        writer.write(ByteBuffer.wrap(buffer, 0, n));
      }
      writer.verify();
      return new Pending(digest, entry.size(), writer);
    } catch (OciException e) {
      writer.abort();
      if (e.code() == ErrorCode.DIGEST_INVALID) {
        throw new OciException(ErrorCode.DIGEST_INVALID, "corrupt blob in the archive",
            entry.name() + ": " + e.detail().orElse(e.getMessage()));
      }
      throw e;
    } catch (IOException | RuntimeException e) {
      writer.abort();
      throw e;
    }
  }

  private Content spool(InputStream data, long size) throws IOException {
    Path file = tmpDir.resolve("load-" + UUID.randomUUID() + ".part");
    MessageDigest sha256 = sha256();
    try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE_NEW), sha256)) {
      data.transferTo(out);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(file);
      throw e;
    }
    return new Spooled(Digest.ofSha256Bytes(sha256.digest()), size, file);
  }

  private Plan planFromIndex(byte[] indexJson, Optional<byte[]> dockerJson) {
    List<ArchiveJson.DockerEntry> dockerEntries = dockerJson.map(ArchiveJson::parseDockerManifest).orElse(List.of());
    Map<Digest, ManifestContent> manifests = new LinkedHashMap<>();
    Set<Digest> blobs = new LinkedHashSet<>();
    List<PlannedImage> images = new ArrayList<>();
    for (ArchiveJson.IndexEntry entry : ArchiveJson.parseIndex(indexJson)) {
      ManifestContent top = manifest(entry.descriptor());
      Optional<Digest> config = addImage(top, manifests, blobs);
      images.add(new PlannedImage(names(entry, config, dockerEntries), top));
    }
    return new Plan(images, List.copyOf(manifests.values()), List.copyOf(blobs));
  }

  /** Adds a manifest or index and what it needs; returns the config of a single image manifest. */
  private Optional<Digest> addImage(ManifestContent manifest, Map<Digest, ManifestContent> manifests, Set<Digest> blobs) {
    manifests.put(manifest.digest(), manifest);
    ArchiveJson.References refs = ArchiveJson.references(manifest.mediaType(), manifest.bytes());
    if (MediaType.isIndex(manifest.mediaType())) {
      int present = 0;
      for (Descriptor child : refs.children()) {
        // docker save (containerd store) and layercake save keep only some platforms of an index.
        if (has(child.digest())) {
          addImage(manifest(child), manifests, blobs);
          present++;
        }
      }
      if (present == 0) {
        throw invalid("the archive holds none of the manifests of index " + manifest.digest());
      }
      return Optional.empty();
    }
    Descriptor config = refs.config().orElseThrow();
    need(config, manifest);
    blobs.add(config.digest());
    for (Descriptor layer : refs.layers()) {
      need(layer, manifest);
      blobs.add(layer.digest());
    }
    return Optional.of(config.digest());
  }

  private Plan planFromDockerManifest(byte[] dockerJson) {
    Map<Digest, ManifestContent> manifests = new LinkedHashMap<>();
    Set<Digest> blobs = new LinkedHashSet<>();
    List<PlannedImage> images = new ArrayList<>();
    for (ArchiveJson.DockerEntry entry : ArchiveJson.parseDockerManifest(dockerJson)) {
      Content config = member(entry.config());
      List<Descriptor> layers = new ArrayList<>();
      for (String path : entry.layers()) {
        Content layer = member(path);
        layers.add(new Descriptor(layerMediaType(layer), layer.digest(), layer.size()));
        blobs.add(layer.digest());
      }
      blobs.add(config.digest());
      byte[] bytes = ArchiveJson.buildManifest(
          new Descriptor(ArchiveJson.OCI_CONFIG, config.digest(), config.size()), layers);
      ManifestContent manifest = new ManifestContent(Digest.ofSha256Bytes(sha256().digest(bytes)),
          MediaType.OCI_MANIFEST, bytes);
      manifests.put(manifest.digest(), manifest);
      images.add(new PlannedImage(parseNames(entry.repoTags()), manifest));
    }
    return new Plan(images, List.copyOf(manifests.values()), List.copyOf(blobs));
  }

  private List<ImageReference> names(ArchiveJson.IndexEntry entry, Optional<Digest> config,
      List<ArchiveJson.DockerEntry> dockerEntries) {
    if (entry.imageName().isPresent()) {
      return List.of(parseName(entry.imageName().get()));
    }
    Optional<String> refName = entry.refName();
    if (refName.isPresent() && (refName.get().contains("/") || refName.get().contains(":"))) {
      return List.of(parseName(refName.get()));
    }
    // A bare tag names no repository: take the names docker's manifest.json gives the same config.
    List<String> tags = new ArrayList<>();
    for (ArchiveJson.DockerEntry docker : dockerEntries) {
      if (config.isPresent() && has(docker.config()) && member(docker.config()).digest().equals(config.get())) {
        tags.addAll(docker.repoTags());
      }
    }
    return parseNames(tags);
  }

  private static List<ImageReference> parseNames(List<String> names) {
    return names.stream().map(ArchiveLoad::parseName).toList();
  }

  private static ImageReference parseName(String name) {
    try {
      return ImageReference.parse(name);
    } catch (OciException e) {
      throw invalid("the archive names an image " + e.getMessage());
    }
  }

  private ManifestContent manifest(Descriptor descriptor) {
    if (!MediaType.isManifestType(descriptor.mediaType())) {
      throw invalid("not a manifest media type: " + descriptor.mediaType() + " for " + descriptor.digest());
    }
    Content content = Optional.ofNullable(byDigest.get(descriptor.digest()))
        .orElseThrow(() -> invalid("the archive lacks manifest " + descriptor.digest()));
    if (content.size() != descriptor.size()) {
      throw invalid("manifest " + descriptor.digest() + " is " + content.size() + " bytes, its descriptor says "
          + descriptor.size());
    }
    if (content.size() > maxJsonSize) {
      throw invalid("manifest " + descriptor.digest() + " is larger than layercake.admin.images.max-json-size");
    }
    return new ManifestContent(descriptor.digest(), descriptor.mediaType(), content.bytes(store));
  }

  private void need(Descriptor descriptor, ManifestContent manifest) {
    Content content = byDigest.get(descriptor.digest());
    long size;
    if (content != null) {
      size = content.size();
    } else {
      Held held = held(descriptor.digest())
          .orElseThrow(() -> invalid("the archive lacks blob " + descriptor.digest() + " of manifest "
              + manifest.digest()));
      size = held.size();
      byDigest.put(descriptor.digest(), held);
    }
    if (size != descriptor.size()) {
      throw invalid("blob " + descriptor.digest() + " is " + size + " bytes, manifest " + manifest.digest()
          + " says " + descriptor.size());
    }
  }

  private boolean has(Digest digest) {
    return byDigest.containsKey(digest) || store.find(digest).isPresent();
  }

  private boolean has(String path) {
    return byName.containsKey(resolve(path));
  }

  private Content member(String path) {
    Content content = byName.get(resolve(path));
    if (content == null) {
      throw invalid("manifest.json names " + path + ", which the archive lacks");
    }
    return content;
  }

  private String resolve(String path) {
    String current = normalise(path);
    for (int hops = 0; hops < 16 && links.containsKey(current); hops++) {
      current = links.get(current);
    }
    return current;
  }

  private static String resolveLinkTarget(TarEntry entry) {
    String target = entry.linkName();
    if (entry.type() == '2' && !target.startsWith("/")) {
      // A symbolic link is relative to its own folder (legacy docker save: ../<id>/layer.tar).
      int slash = entry.name().lastIndexOf('/');
      target = (slash < 0 ? "" : entry.name().substring(0, slash + 1)) + target;
    }
    return normalise(target);
  }

  private static String normalise(String path) {
    List<String> parts = new ArrayList<>();
    for (String part : path.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!parts.isEmpty()) {
          parts.remove(parts.size() - 1);
        }
        continue;
      }
      parts.add(part);
    }
    return String.join("/", parts);
  }

  private String layerMediaType(Content layer) {
    byte[] head = layer.head(store, 4);
    if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
      return ArchiveJson.OCI_LAYER_TAR_GZIP;
    }
    if (head.length >= 4 && (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5 && (head[2] & 0xff) == 0x2f
        && (head[3] & 0xff) == 0xfd) {
      return "application/vnd.oci.image.layer.v1.tar+zstd";
    }
    return ArchiveJson.OCI_LAYER_TAR;
  }

  private Optional<byte[]> json(String name) {
    Content content = byName.get(name);
    return content instanceof Small small ? Optional.of(small.bytes()) : Optional.empty();
  }

  private void commitBlob(Content content) throws IOException {
    if (content instanceof Pending pending) {
      pending.writer().commit(null);
    } else if (content instanceof Small small) {
      store.storeBytes(small.digest(), small.bytes(), null);
    } else if (content instanceof Spooled spooled) {
      BlobWriter writer = store.newWriter(spooled.digest(), spooled.size());
      try (FileChannel in = FileChannel.open(spooled.file(), StandardOpenOption.READ)) {
        ByteBuffer buffer = ByteBuffer.allocate(COPY_CHUNK);
        while (in.read(buffer) >= 0) {
          buffer.flip();
          writer.write(buffer);
          buffer.clear();
        }
        writer.commit(null);
      } catch (IOException | RuntimeException e) {
        writer.abort();
        throw e;
      }
      Files.deleteIfExists(spooled.file());
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  private static OciException invalid(String detail) {
    return new OciException(ErrorCode.BLOB_UPLOAD_INVALID, "invalid image archive", detail);
  }

  /**
   * What a load will do.
   *
   * @param images the images with the names they will be tagged with
   * @param manifests every manifest and index to store, with its media type
   * @param blobs every config and layer the images need
   */
  record Plan(List<PlannedImage> images, List<ManifestContent> manifests, List<Digest> blobs) {}

  /**
   * One image of the archive.
   *
   * @param names the references to point at it (none: stored by digest only)
   * @param top its manifest or index
   */
  record PlannedImage(List<ImageReference> names, ManifestContent top) {}

  /**
   * What a commit stored.
   *
   * @param blobs blobs newly committed
   * @param bytes their bytes
   */
  record Committed(int blobs, long bytes) {}

  /** A member's content, wherever it waits. */
  private sealed interface Content permits Held, Pending, Small, Spooled {
    Digest digest();

    long size();

    /** The whole content; only called for manifests, whose size is capped. */
    default byte[] bytes(BlobStore store) {
      try {
        return Files.readAllBytes(path(store));
      } catch (IOException e) {
        throw new StorageException("read " + digest(), e);
      }
    }

    /** The first {@code count} bytes (fewer if shorter). */
    default byte[] head(BlobStore store, int count) {
      try (InputStream in = Files.newInputStream(path(store))) {
        return in.readNBytes(count);
      } catch (IOException e) {
        throw new StorageException("read " + digest(), e);
      }
    }

    Path path(BlobStore store);

    default void discard() {}
  }

  /** Already committed on this node: the archive's copy was skipped. */
  private record Held(Digest digest, long size) implements Content {
    @Override
    public Path path(BlobStore store) {
      return store.pathOf(digest);
    }
  }

  /** Verified against its name, waiting in tmp/ to be committed. */
  private record Pending(Digest digest, long size, BlobWriter writer) implements Content {
    @Override
    public Path path(BlobStore store) {
      return writer.tempPath();
    }

    @Override
    public void discard() {
      // Harmless after a commit: the temp file has been renamed away.
      writer.abort();
    }
  }

  /** A small JSON file, held in memory. */
  private record Small(Digest digest, byte[] bytes) implements Content {
    @Override
    public long size() {
      return bytes.length;
    }

    @Override
    public byte[] bytes(BlobStore store) {
      return bytes;
    }

    @Override
    public byte[] head(BlobStore store, int count) {
      return java.util.Arrays.copyOf(bytes, Math.min(count, bytes.length));
    }

    @Override
    public Path path(BlobStore store) {
      throw new IllegalStateException("held in memory");
    }
  }

  /** A file no name identified, hashed while spooled to tmp/. */
  private record Spooled(Digest digest, long size, Path file) implements Content {
    @Override
    public Path path(BlobStore store) {
      return file;
    }

    @Override
    public void discard() {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // Start-up recovery empties tmp/.
      }
    }
  }
}
