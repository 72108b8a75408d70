package io.layercake.admin;

import io.layercake.archive.TarWriter;
import io.layercake.testkit.Sha256;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Builds image archives the way {@code docker save} writes them, in memory (test images are
 * small): the legacy layout of docker before 25 ({@code <id>/layer.tar}, {@code <config>.json},
 * {@code manifest.json}, a symbolic link for a repeated layer), and the OCI layout of docker 25+
 * ({@code blobs/sha256/...}, {@code index.json}, {@code oci-layout}, {@code manifest.json}), both
 * with uncompressed layers, as docker writes them.
 */
final class DockerSaveArchive {

  final List<byte[]> layers = new ArrayList<>();
  final byte[] config;
  final String repoTag;

  /** An image of {@code layerCount} small random layers named {@code repoTag}. */
  DockerSaveArchive(long seed, int layerCount, String repoTag) {
    Random random = new Random(seed);
    List<String> diffIds = new ArrayList<>();
    for (int i = 0; i < layerCount; i++) {
      byte[] file = new byte[1000 + random.nextInt(5000)];
      random.nextBytes(file);
      ByteArrayOutputStream layer = new ByteArrayOutputStream();
      layer.writeBytes(TarWriter.smallFile("file-" + i, file));
      layer.writeBytes(TarWriter.end());
      layers.add(layer.toByteArray());
      diffIds.add("\"" + Sha256.digest(layer.toByteArray()) + "\"");
    }
    this.config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\","
        + "\"diff_ids\":[" + String.join(",", diffIds) + "]}}").getBytes(StandardCharsets.UTF_8);
    this.repoTag = repoTag;
  }

  /** docker save before 25: layer folders, the config by image id, a link for the last layer repeated. */
  byte[] legacy() {
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      String id = Sha256.hex(Sha256.digest(("layer-id-" + i).getBytes(StandardCharsets.UTF_8)));
      tar.writeBytes(TarWriter.directoryHeader(id + "/"));
      tar.writeBytes(TarWriter.smallFile(id + "/VERSION", "1.0".getBytes(StandardCharsets.UTF_8)));
      tar.writeBytes(TarWriter.smallFile(id + "/json", "{}".getBytes(StandardCharsets.UTF_8)));
      tar.writeBytes(TarWriter.smallFile(id + "/layer.tar", layers.get(i)));
      paths.add("\"" + id + "/layer.tar\"");
    }
    // docker links a layer that appears twice to the first copy.
    String lastId = Sha256.hex(Sha256.digest("layer-id-repeat".getBytes(StandardCharsets.UTF_8)));
    String firstPath = paths.get(0).replace("\"", "");
    tar.writeBytes(TarWriter.directoryHeader(lastId + "/"));
    tar.writeBytes(symlink(lastId + "/layer.tar", "../" + firstPath));
    paths.add("\"" + lastId + "/layer.tar\"");
    String configName = Sha256.hex(Sha256.digest(config)) + ".json";
    tar.writeBytes(TarWriter.smallFile(configName, config));
    String manifest = "[{\"Config\":\"" + configName + "\",\"RepoTags\":[\"" + repoTag + "\"],\"Layers\":["
        + String.join(",", paths) + "]}]";
    tar.writeBytes(TarWriter.smallFile("manifest.json", manifest.getBytes(StandardCharsets.UTF_8)));
    tar.writeBytes(TarWriter.end());
    return tar.toByteArray();
  }

  /** docker save 25+: the OCI layout plus manifest.json, named by the full reference. */
  byte[] ociLayout() {
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    tar.writeBytes(TarWriter.directoryHeader("blobs/"));
    tar.writeBytes(TarWriter.directoryHeader("blobs/sha256/"));
    List<String> descriptors = new ArrayList<>();
    List<String> paths = new ArrayList<>();
    for (byte[] layer : layers) {
      tar.writeBytes(TarWriter.smallFile(blobPath(layer), layer));
      descriptors.add(descriptor("application/vnd.oci.image.layer.v1.tar", layer));
      paths.add("\"" + blobPath(layer) + "\"");
    }
    tar.writeBytes(TarWriter.smallFile(blobPath(config), config));
    byte[] manifest = manifest(descriptors);
    tar.writeBytes(TarWriter.smallFile(blobPath(manifest), manifest));
    String index = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
        + "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + Sha256.digest(manifest)
        + "\",\"size\":" + manifest.length + ",\"annotations\":{\"io.containerd.image.name\":\"docker.io/"
        + repoTag + "\",\"org.opencontainers.image.ref.name\":\"" + repoTag.substring(repoTag.indexOf(':') + 1)
        + "\"}}]}";
    tar.writeBytes(TarWriter.smallFile("index.json", index.getBytes(StandardCharsets.UTF_8)));
    tar.writeBytes(TarWriter.smallFile("oci-layout",
        "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8)));
    String dockerManifest = "[{\"Config\":\"" + blobPath(config) + "\",\"RepoTags\":[\"" + repoTag
        + "\"],\"Layers\":[" + String.join(",", paths) + "]}]";
    tar.writeBytes(TarWriter.smallFile("manifest.json", dockerManifest.getBytes(StandardCharsets.UTF_8)));
    tar.writeBytes(TarWriter.end());
    return tar.toByteArray();
  }

  /** The OCI manifest of the layout form: what a pull of the loaded tag must return. */
  byte[] manifest() {
    List<String> descriptors = new ArrayList<>();
    layers.forEach(layer -> descriptors.add(descriptor("application/vnd.oci.image.layer.v1.tar", layer)));
    return manifest(descriptors);
  }

  private byte[] manifest(List<String> layerDescriptors) {
    return ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":"
        + descriptor("application/vnd.oci.image.config.v1+json", config) + ",\"layers\":["
        + String.join(",", layerDescriptors) + "]}").getBytes(StandardCharsets.UTF_8);
  }

  private static String descriptor(String mediaType, byte[] content) {
    return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + Sha256.digest(content) + "\",\"size\":"
        + content.length + "}";
  }

  static String blobPath(byte[] content) {
    return "blobs/sha256/" + Sha256.hex(Sha256.digest(content));
  }

  /** A ustar symbolic link header: TarWriter writes files and folders only. */
  private static byte[] symlink(String name, String target) {
    byte[] header = TarWriter.directoryHeader(name);
    header[156] = '2';
    byte[] targetBytes = target.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(targetBytes, 0, header, 157, targetBytes.length);
    // Mode 0777 is not needed by readers; recompute the checksum over the changed header.
    for (int i = 148; i < 156; i++) {
      header[i] = ' ';
    }
    long sum = 0;
    for (byte b : header) {
      sum += b & 0xff;
    }
    byte[] digits = String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(digits, 0, header, 148, 6);
    header[154] = 0;
    header[155] = ' ';
    return header;
  }
}
