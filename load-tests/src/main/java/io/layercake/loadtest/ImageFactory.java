package io.layercake.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layercake.testkit.LargeBlob;
import io.layercake.testkit.Sha256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes images of chosen layer sizes into a folder. Layers are seeded random bytes: they do not
 * compress, so every system moves exactly the bytes the report counts. A layer can be reused in
 * several images, as base layers are on Docker Hub.
 *
 * <p>The layers are not real tarballs: registries and mirrors never open them, and the load
 * clients only verify digests. The client-matrix test uses real images for real clients.
 */
public final class ImageFactory {

  static final String LAYER_TYPE = "application/vnd.docker.image.rootfs.diff.tar.gzip";
  static final String CONFIG_TYPE = "application/vnd.docker.container.image.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path directory;
  private final AtomicLong seeds;

  /** A factory writing to {@code directory}; {@code seed} makes its content differ from others'. */
  public ImageFactory(Path directory, long seed) {
    this.directory = directory;
    this.seeds = new AtomicLong(seed * 1_000_003L);
  }

  /** A new layer of {@code size} random bytes, unlike any other this factory made. */
  public LargeBlob layer(long size) {
    long seed = seeds.incrementAndGet();
    return LargeBlob.writeRandom(directory.resolve("layer-" + seed), size, seed, LAYER_TYPE);
  }

  /** An image of new layers of the given sizes. */
  public LoadImage image(String repository, String tag, long... layerSizes) {
    return image(repository, tag, java.util.Arrays.stream(layerSizes).mapToObj(this::layer).toList());
  }

  /** An image of {@code layers}, with a config of its own (so its manifest digest is unique). */
  public LoadImage image(String repository, String tag, List<LargeBlob> layers) {
    LargeBlob config = config(repository, tag, layers.size());
    ObjectNode manifest = JSON.createObjectNode();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", LoadImage.MANIFEST_TYPE);
    manifest.set("config", descriptor(config));
    ArrayNode layerArray = manifest.putArray("layers");
    layers.forEach(layer -> layerArray.add(descriptor(layer)));
    try {
      byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest);
      return new LoadImage(repository, tag, Sha256.digest(bytes), bytes, config, layers);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the manifest of " + repository, e);
    }
  }

  private LargeBlob config(String repository, String tag, int layerCount) {
    ObjectNode config = JSON.createObjectNode();
    config.put("architecture", "amd64");
    config.put("os", "linux");
    config.putObject("config").putArray("Labels").add(repository + ":" + tag + "#" + seeds.incrementAndGet());
    ObjectNode rootfs = config.putObject("rootfs");
    rootfs.put("type", "layers");
    ArrayNode diffIds = rootfs.putArray("diff_ids");
    for (int i = 0; i < layerCount; i++) {
      diffIds.add("sha256:" + "0".repeat(63) + (i % 10));
    }
    try {
      byte[] bytes = JSON.writeValueAsBytes(config);
      String digest = Sha256.digest(bytes);
      Path file = directory.resolve("config-" + Sha256.hex(digest));
      Files.createDirectories(directory);
      Files.write(file, bytes);
      return new LargeBlob(digest, CONFIG_TYPE, bytes.length, file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the config of " + repository, e);
    }
  }

  private static ObjectNode descriptor(LargeBlob blob) {
    ObjectNode node = JSON.createObjectNode();
    node.put("mediaType", blob.mediaType());
    node.put("size", blob.size());
    node.put("digest", blob.digest());
    return node;
  }
}
