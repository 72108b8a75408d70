package io.layercake.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Generates deterministic container images for tests: the same format, seed and layer sizes always
 * give the same bytes and digests, so a test can compare what a client pulled through the mirror
 * with what it generated.
 *
 * <p>Each layer is a gzip-compressed tar of seeded pseudo-random files. Each platform gets an image
 * config (architecture, os, {@code rootfs.diff_ids}) and a manifest; with more than one platform
 * the image's top manifest is an OCI index or a Docker manifest list over them.
 *
 * <pre>{@code
 * Image docker = TestImage.builder(ImageFormat.DOCKER, 1).layer(1024, 4096).build();
 * Image multi = TestImage.builder(ImageFormat.OCI, 2).sharedLayer(2048).layer(512)
 *     .platforms(Platform.LINUX_AMD64, Platform.LINUX_ARM64).build();
 * Image big = TestImage.builder(ImageFormat.OCI, 3).largeLayer(150L << 20, tempDir).build();
 * }</pre>
 */
public final class TestImage {

  // a fixed creation time: configs must not depend on when the test ran
  private static final String CREATED = "1970-01-01T00:00:00Z";
  private static final ObjectMapper JSON = new ObjectMapper();

  private TestImage() {}

  /** A builder for an image of {@code format}; {@code seed} determines all content. */
  public static Builder builder(ImageFormat format, long seed) {
    return new Builder(format, seed);
  }

  /** A linux/amd64 image with one layer holding a file of each of {@code fileSizes}. */
  public static Image singlePlatform(ImageFormat format, long seed, long... fileSizes) {
    return builder(format, seed).layer(fileSizes).build();
  }

  /**
   * A linux/amd64 plus linux/arm64 image (OCI index or Docker manifest list) whose platforms share
   * no layer: each has one layer holding a file of each of {@code fileSizes}.
   */
  public static Image multiPlatform(ImageFormat format, long seed, long... fileSizes) {
    return builder(format, seed)
        .layer(fileSizes)
        .platforms(Platform.LINUX_AMD64, Platform.LINUX_ARM64)
        .build();
  }

  /** Serialises {@code json} (maps keep their insertion order) to compact UTF-8 bytes. */
  static byte[] toJson(Object json) {
    try {
      return JSON.writeValueAsBytes(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise generated JSON", e);
    }
  }

  /** Collects the layers and platforms of one image. */
  public static final class Builder {
    private final ImageFormat format;
    private final long seed;
    private final List<LayerSpec> layers = new ArrayList<>();
    private List<Platform> platforms = List.of(Platform.LINUX_AMD64);

    private Builder(ImageFormat format, long seed) {
      this.format = Objects.requireNonNull(format, "format");
      this.seed = seed;
    }

    /**
     * Adds a layer holding one file of each size; its content differs per platform, as real
     * per-architecture layers do.
     */
    public Builder layer(long... fileSizes) {
      layers.add(new LayerSpec(LayerKind.PER_PLATFORM, sizes(fileSizes), null));
      return this;
    }

    /**
     * Adds a layer holding one file of each size that is byte-identical in every platform, like a
     * shared base layer: one blob that several manifests reference.
     */
    public Builder sharedLayer(long... fileSizes) {
      layers.add(new LayerSpec(LayerKind.SHARED, sizes(fileSizes), null));
      return this;
    }

    /**
     * Adds a layer holding one file of {@code fileSize} bytes, streamed to a file in {@code
     * directory} (named by its digest) instead of memory; it is shared by all platforms. The
     * compressed blob is slightly larger than {@code fileSize}, since random content does not
     * compress.
     */
    public Builder largeLayer(long fileSize, Path directory) {
      Objects.requireNonNull(directory, "directory");
      layers.add(new LayerSpec(LayerKind.LARGE, sizes(fileSize), directory));
      return this;
    }

    /**
     * Sets the platforms (default linux/amd64 only). With more than one, the top manifest is an
     * index (Docker: manifest list) whose entries follow this order.
     */
    public Builder platforms(Platform... platforms) {
      if (platforms.length == 0) {
        throw new IllegalArgumentException("an image needs at least one platform");
      }
      if (Arrays.stream(platforms).distinct().count() != platforms.length) {
        throw new IllegalArgumentException(
            "platforms must be distinct: " + Arrays.toString(platforms));
      }
      this.platforms = List.of(platforms);
      return this;
    }

    /** Generates the image; large layers are written to their files now. */
    public Image build() {
      Map<String, Blob> blobs = new LinkedHashMap<>();
      Map<String, LargeBlob> largeBlobs = new LinkedHashMap<>();
      // layers shared by all platforms are generated once, keyed by their position
      Map<Integer, LayerRef> sharedLayers = new HashMap<>();
      List<PlatformManifest> manifests = new ArrayList<>();
      for (Platform platform : platforms) {
        List<LayerRef> platformLayers = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
          int index = i;
          platformLayers.add(
              layers.get(i).kind() == LayerKind.PER_PLATFORM
                  ? generateLayer(i, platform.toString(), blobs, largeBlobs)
                  : sharedLayers.computeIfAbsent(
                      i, unused -> generateLayer(index, "shared", blobs, largeBlobs)));
        }
        Manifest manifest = imageManifest(platform, platformLayers, blobs);
        manifests.add(new PlatformManifest(platform, manifest));
      }
      Manifest top = manifests.size() == 1 ? manifests.get(0).manifest() : index(manifests);
      return new Image(
          format, top, manifests, List.copyOf(blobs.values()), List.copyOf(largeBlobs.values()));
    }

    private LayerRef generateLayer(
        int index, String salt, Map<String, Blob> blobs, Map<String, LargeBlob> largeBlobs) {
      LayerSpec spec = layers.get(index);
      long layerSeed = layerSeed(index, salt);
      if (spec.kind() == LayerKind.LARGE) {
        LayerWriter.FileLayer layer =
            LayerWriter.toFile(spec.directory(), spec.fileSizes(), layerSeed, format.layerType());
        largeBlobs.putIfAbsent(layer.blob().digest(), layer.blob());
        return new LayerRef(layer.blob().digest(), layer.blob().size(), layer.diffId());
      }
      LayerWriter.MemoryLayer layer =
          LayerWriter.inMemory(spec.fileSizes(), layerSeed, format.layerType());
      blobs.putIfAbsent(layer.blob().digest(), layer.blob());
      return new LayerRef(layer.blob().digest(), layer.blob().size(), layer.diffId());
    }

    private Manifest imageManifest(
        Platform platform, List<LayerRef> platformLayers, Map<String, Blob> blobs) {
      List<String> diffIds = platformLayers.stream().map(LayerRef::diffId).toList();
      Blob config = Blob.of(format.configType(), toJson(config(platform, diffIds)));
      blobs.putIfAbsent(config.digest(), config);
      List<Map<String, Object>> layerDescriptors = new ArrayList<>();
      for (LayerRef layer : platformLayers) {
        layerDescriptors.add(descriptor(format.layerType(), layer.digest(), layer.size()));
      }
      Map<String, Object> manifest = new LinkedHashMap<>();
      manifest.put("schemaVersion", 2);
      manifest.put("mediaType", format.manifestType());
      manifest.put("config", descriptor(config.mediaType(), config.digest(), config.size()));
      manifest.put("layers", layerDescriptors);
      return Manifest.of(format.manifestType(), toJson(manifest));
    }

    private Manifest index(List<PlatformManifest> manifests) {
      List<Map<String, Object>> entries = new ArrayList<>();
      for (PlatformManifest child : manifests) {
        Map<String, Object> entry =
            descriptor(
                child.manifest().mediaType(), child.manifest().digest(), child.manifest().size());
        entry.put("platform", child.platform().toJson());
        entries.add(entry);
      }
      Map<String, Object> index = new LinkedHashMap<>();
      index.put("schemaVersion", 2);
      index.put("mediaType", format.indexType());
      index.put("manifests", entries);
      return Manifest.of(format.indexType(), toJson(index));
    }

    private Map<String, Object> config(Platform platform, List<String> diffIds) {
      Map<String, Object> config = new LinkedHashMap<>();
      config.put("architecture", platform.architecture());
      config.put("os", platform.os());
      if (platform.variant() != null) {
        config.put("variant", platform.variant());
      }
      config.put("created", CREATED);
      config.put(
          "config",
          ordered(
              "Env", List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
              // the seed label keeps images with equal layers (or none) distinct
              "Labels", ordered("io.layercake.testkit.seed", Long.toString(seed))));
      config.put("rootfs", ordered("type", "layers", "diff_ids", diffIds));
      List<Map<String, Object>> history = new ArrayList<>();
      for (int i = 0; i < diffIds.size(); i++) {
        history.add(ordered("created", CREATED, "created_by", "layercake testkit layer " + i));
      }
      config.put("history", history);
      return config;
    }

    /** A seed per layer and platform, stable across runs (String.hashCode is specified). */
    private long layerSeed(int layerIndex, String salt) {
      return seed * 1_000_003L + layerIndex * 7_919L + salt.hashCode();
    }

    private static Map<String, Object> descriptor(String mediaType, String digest, long size) {
      return ordered("mediaType", mediaType, "digest", digest, "size", size);
    }

    /**
     * A mutable map in the given key order. Map.of would not do: its iteration order changes from
     * one JVM run to the next, and with it the JSON bytes and every digest.
     */
    private static Map<String, Object> ordered(Object... keysAndValues) {
      Map<String, Object> map = new LinkedHashMap<>();
      for (int i = 0; i < keysAndValues.length; i += 2) {
        map.put((String) keysAndValues[i], keysAndValues[i + 1]);
      }
      return map;
    }

    private static List<Long> sizes(long... fileSizes) {
      List<Long> sizes = new ArrayList<>();
      for (long size : fileSizes) {
        if (size < 0) {
          throw new IllegalArgumentException(
              "file sizes must be >= 0, got " + Arrays.toString(fileSizes));
        }
        sizes.add(size);
      }
      return List.copyOf(sizes);
    }
  }

  private enum LayerKind {
    PER_PLATFORM,
    SHARED,
    LARGE
  }

  private record LayerSpec(LayerKind kind, List<Long> fileSizes, Path directory) {}

  /** What a manifest and config need to know about a generated layer. */
  private record LayerRef(String digest, long size, String diffId) {}
}
