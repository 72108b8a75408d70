package io.layercake.admin;

import io.layercake.admin.StagedContent.Held;
import io.layercake.admin.StagedContent.Pending;
import io.layercake.admin.StagedContent.Small;
import io.layercake.admin.StagedContent.Spooled;
import io.layercake.archive.ArchiveErrors;
import io.layercake.archive.ArchiveJson;
import io.layercake.archive.ArchivePlanner;
import io.layercake.archive.StagedArchive;
import io.layercake.archive.TarEntry;
import io.layercake.archive.TarReader;
import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import io.layercake.storage.BlobStore;
import io.layercake.storage.BlobWriter;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
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
 * 2. Plan (ArchivePlanner) and commit: the images are worked out from index.json (preferred: it
 *    names the real registry manifests) or else manifest.json. Every blob a manifest refers to must be in the
 *    archive or already on this node, with the size the manifest says. Only then are the verified
 *    temp files committed, the spooled ones copied through a BlobWriter (verified again), and the
 *    manifests stored with their media types.
 *
 * Everything lives under tmp/ until committed, so a crash at any point leaves nothing that
 * start-up recovery does not remove; close() removes it at once.
 *
 * Limits, because the archive is whatever the client sends:
 * - Memory: everything the load keeps in memory is charged to the node's LoadMemory before it is
 *   kept: each JSON file, each manifest the plan reads, each member's name and bookkeeping, and
 *   what parsing keeps. The sum of 24 JSON files of 15 MiB was an OutOfMemoryError before.
 * - Member sizes: a member that declares more bytes than the upload has left (Content-Length) is
 *   refused before anything is written. Eviction counts only bytes written, never a declared size
 *   (BlobStore), so no size an archive declares can make it evict.
 * - Index nesting: ImageWalk (visited set, depth limit, cycles).
 * - Repeated names: an archive with two members of one name (tar -r appends) is refused. Which
 *   one counts would be a guess, and the old "last one wins" leaked the first one's temp file and
 *   space reservation until restart.
 * - Work: every loop is linear in the archive's size (see ArchivePlanner).
 *
 * docker's legacy format has uncompressed layers and no registry manifest: the plan builds an OCI
 * manifest whose layer descriptors are the layer files as stored (application/vnd.oci.image.
 * layer.v1.tar, or +gzip / +zstd when the file is compressed), so the image pulls with digests
 * that differ from the registry it once came from, but are consistent with what is stored.
 */

/** One {@code load} of an image archive into this node's store. Not thread-safe: one load, one thread. */
final class ArchiveLoad implements StagedArchive, AutoCloseable {

  /** Heap charged per member besides its name: its map entries, content record and digest. */
  static final long MEMBER_COST = 256;

  private static final int COPY_CHUNK = 256 * 1024;
  private static final Set<String> IN_MEMORY = Set.of(ArchiveJson.INDEX, ArchiveJson.DOCKER_MANIFEST,
      ArchiveJson.OCI_LAYOUT, "repositories");

  private final BlobStore store;
  private final Path tmpDir;
  private final ImageVerbSettings settings;
  private final LoadMemory.Account memory;
  private final Map<String, StagedContent> byName = new HashMap<>();
  private final Map<Digest, StagedContent> byDigest = new HashMap<>();
  private final Map<String, String> links = new HashMap<>();
  /** Leases on the blobs the node already holds, so eviction keeps them until the load has tagged. */
  private final List<Runnable> leases = new ArrayList<>();

  /**
   * A load into {@code store}, spooling to {@code tmpDir}, within {@code settings}' limits, keeping
   * in memory only what {@code memory} grants.
   */
  ArchiveLoad(BlobStore store, Path tmpDir, ImageVerbSettings settings, LoadMemory.Account memory) {
    this.store = store;
    this.tmpDir = tmpDir;
    this.settings = settings;
    this.memory = memory;
  }

  /**
   * Phase 1: reads the whole archive, verifying named blobs and spooling the rest.
   *
   * @param in the archive
   * @param length its length if the client declared one (Content-Length)
   */
  void read(InputStream in, OptionalLong length) throws IOException {
    TarReader tar = new TarReader(in);
    for (Optional<TarEntry> next = tar.next(); next.isPresent(); next = tar.next()) {
      TarEntry entry = next.get();
      if (!entry.isLink() && !entry.isFile()) {
        continue;
      }
      if (byName.containsKey(entry.name()) || links.containsKey(entry.name())) {
        throw ArchiveErrors.invalid("the archive has more than one member named " + ArchiveErrors.shown(entry.name())
            + " (an appended tar?); load takes archives with one member per name");
      }
      long bookkeeping = MEMBER_COST + ArchiveJson.stringCost(entry.name());
      if (entry.isLink()) {
        memory.charge(bookkeeping + ArchiveJson.stringCost(entry.linkName()));
        links.put(entry.name(), resolveLinkTarget(entry));
        continue;
      }
      memory.charge(bookkeeping);
      if (length.isPresent() && entry.size() > length.getAsLong() - tar.position()) {
        throw new OciException(ErrorCode.BLOB_UPLOAD_INVALID, "tar archive truncated", ArchiveErrors.shown(entry.name())
            + " declares " + entry.size() + " bytes, but only " + (length.getAsLong() - tar.position())
            + " of the upload's Content-Length are left");
      }
      StagedContent content = readMember(entry, tar.content(), length.isPresent());
      byName.put(entry.name(), content);
      byDigest.putIfAbsent(content.digest(), content);
    }
    if (byName.isEmpty()) {
      throw ArchiveErrors.invalid("the archive holds no files");
    }
  }

  /** Phase 2a: works out the images, checking that everything they need is here. Commits nothing. */
  ArchivePlanner.Plan plan() {
    return new ArchivePlanner(this, new ArchivePlanner.Limits(settings.maxJsonSize(), ImageVerbSettings.MAX_JSON_SIZE,
        settings.maxIndexDepth(), ImageVerbSettings.MAX_INDEX_DEPTH), memory).plan();
  }

  /** Phase 2b: commits the blobs the plan needs; returns the number of blobs and bytes committed. */
  Committed commit(ArchivePlanner.Plan plan) throws IOException {
    int blobs = 0;
    long bytes = 0;
    for (Digest digest : plan.blobs()) {
      StagedContent content = byDigest.get(digest);
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

  /** Drops every temp file that was not committed (and its space reservation), and the leases not handed over. */
  @Override
  public void close() {
    for (StagedContent content : byName.values()) {
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

  private StagedContent readMember(TarEntry entry, InputStream data, boolean sizeTrusted) throws IOException {
    Optional<Digest> named = ArchiveJson.digestOfPath(entry.name());
    if (named.isPresent()) {
      Digest digest = named.get();
      Optional<Held> held = held(digest);
      if (held.isPresent()) {
        return held.get();
      }
      return verifiedBlob(entry, digest, data, sizeTrusted);
    }
    if (IN_MEMORY.contains(entry.name()) || entry.name().endsWith(".json")) {
      if (entry.size() > settings.maxJsonSize()) {
        throw ArchiveErrors.overLimit(ArchiveErrors.shown(entry.name()) + " is " + entry.size() + " bytes, more than "
            + settings.maxJsonSize() + " (" + ImageVerbSettings.MAX_JSON_SIZE + ")");
      }
      memory.charge(entry.size());
      byte[] bytes = new byte[(int) entry.size()];
      // The member's stream ends exactly at its size, or throws "truncated".
      data.readNBytes(bytes, 0, bytes.length);
      return new Small(Digest.sha256Of(bytes), bytes);
    }
    return spool(data, entry.size());
  }

  private StagedContent verifiedBlob(TarEntry entry, Digest digest, InputStream data, boolean sizeTrusted)
      throws IOException {
    // The writer checks the declared size only when the upload's length vouches for it; the
    // member's stream ends at its size either way.
    BlobWriter writer = store.newWriter(digest, sizeTrusted ? entry.size() : -1);
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
            ArchiveErrors.shown(entry.name()) + ": " + e.detail().orElse(e.getMessage()));
      }
      throw e;
    } catch (IOException | RuntimeException e) {
      writer.abort();
      throw e;
    }
  }

  private StagedContent spool(InputStream data, long size) throws IOException {
    Path file = tmpDir.resolve("load-" + UUID.randomUUID() + ".part");
    MessageDigest sha256 = Digest.newSha256();
    try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE_NEW), sha256)) {
      data.transferTo(out);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(file);
      throw e;
    }
    return new Spooled(Digest.ofSha256Bytes(sha256.digest()), size, file);
  }

  @Override
  public boolean has(Digest digest) {
    return byDigest.containsKey(digest) || store.find(digest).isPresent();
  }

  @Override
  public Optional<Member> content(Digest digest) {
    return Optional.ofNullable(byDigest.get(digest));
  }

  /** {@inheritDoc} The node's copy is leased until the load is tagged. */
  @Override
  public Optional<Member> contentOrHeld(Digest digest) {
    StagedContent content = byDigest.get(digest);
    if (content != null) {
      return Optional.of(content);
    }
    memory.charge(MEMBER_COST);
    Optional<Held> held = held(digest);
    held.ifPresent(blob -> byDigest.put(digest, blob));
    return held.map(Member.class::cast);
  }

  @Override
  public boolean hasMember(String path) {
    return byName.containsKey(resolve(path));
  }

  @Override
  public StagedContent member(String path) {
    StagedContent content = byName.get(resolve(path));
    if (content == null) {
      throw ArchiveErrors.invalid("manifest.json names " + ArchiveErrors.shown(path) + ", which the archive lacks");
    }
    return content;
  }

  @Override
  public Optional<byte[]> json(String name) {
    StagedContent content = byName.get(name);
    return content instanceof Small small ? Optional.of(small.bytes()) : Optional.empty();
  }

  @Override
  public byte[] bytes(Member content) {
    return ((StagedContent) content).bytes(store);
  }

  @Override
  public byte[] head(Member content, int count) {
    return ((StagedContent) content).head(store, count);
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

  private void commitBlob(StagedContent content) throws IOException {
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

  /**
   * What a commit stored.
   *
   * @param blobs blobs newly committed
   * @param bytes their bytes
   */
  record Committed(int blobs, long bytes) {}
}
