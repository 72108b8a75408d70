package io.layercake.admin;

import io.layercake.archive.TarWriter;
import io.layercake.testkit.Sha256;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The hostile archives of issue 10, finding 4, built for tests: many large JSON members, indexes
 * nested deep, and the start of an archive whose body never comes.
 */
final class ArchiveBombs {

  private ArchiveBombs() {}

  /** The length of {@link #writeJsonBomb}'s archive. */
  static long jsonBombLength(int members, int memberSize) {
    long padded = (memberSize + TarWriter.BLOCK - 1) / TarWriter.BLOCK * TarWriter.BLOCK;
    return members * (TarWriter.BLOCK + padded) + 2L * TarWriter.BLOCK;
  }

  /**
   * Writes an archive of {@code members} JSON files of {@code memberSize} bytes each (a JSON
   * string of spaces), which a load would hold in memory: 24 of 15 MiB were an OutOfMemoryError.
   */
  static void writeJsonBomb(OutputStream out, int members, int memberSize) throws IOException {
    byte[] chunk = new byte[64 * 1024];
    Arrays.fill(chunk, (byte) ' ');
    for (int i = 0; i < members; i++) {
      out.write(TarWriter.fileHeader("config-" + i + ".json", memberSize));
      out.write('"');
      long left = memberSize - 2;
      while (left > 0) {
        int n = (int) Math.min(chunk.length, left);
        out.write(chunk, 0, n);
        left -= n;
      }
      out.write('"');
      out.write(TarWriter.padding(memberSize));
    }
    out.write(TarWriter.end());
  }

  /** {@link #writeJsonBomb} in memory, for small bombs. */
  static byte[] jsonBomb(int members, int memberSize) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      writeJsonBomb(out, members, memberSize);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }

  /**
   * A valid OCI layout whose image {@code name} is {@code depth} indexes deep, each naming the
   * level below twice: without a visited set, the walk doubled at each level (depth 18 took 3 s,
   * 40 never finished). With {@code depth} 0, index.json names the image manifest itself.
   */
  static byte[] nestedIndexes(int depth, String name) {
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    byte[] layer = ("layer of " + name).getBytes(StandardCharsets.UTF_8);
    byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
        + Sha256.digest(layer) + "\"]}}").getBytes(StandardCharsets.UTF_8);
    byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
        + "\"config\":" + descriptor("application/vnd.oci.image.config.v1+json", config) + ",\"layers\":["
        + descriptor("application/vnd.oci.image.layer.v1.tar", layer) + "]}").getBytes(StandardCharsets.UTF_8);
    for (byte[] blob : new byte[][] {layer, config, manifest}) {
      tar.writeBytes(TarWriter.smallFile(DockerSaveArchive.blobPath(blob), blob));
    }
    String top = descriptor("application/vnd.oci.image.manifest.v1+json", manifest);
    for (int level = 1; level <= depth; level++) {
      byte[] index = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
          + "\"manifests\":[" + top + "," + top + "]}").getBytes(StandardCharsets.UTF_8);
      tar.writeBytes(TarWriter.smallFile(DockerSaveArchive.blobPath(index), index));
      top = descriptor("application/vnd.oci.image.index.v1+json", index);
    }
    String annotated = top.substring(0, top.length() - 1)
        + ",\"annotations\":{\"io.containerd.image.name\":\"docker.io/library/" + name + "\"}}";
    tar.writeBytes(TarWriter.smallFile("index.json",
        ("{\"schemaVersion\":2,\"manifests\":[" + annotated + "]}").getBytes(StandardCharsets.UTF_8)));
    tar.writeBytes(TarWriter.smallFile("oci-layout",
        "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8)));
    tar.writeBytes(TarWriter.end());
    return tar.toByteArray();
  }

  /**
   * The first {@code contentBytes} of an archive whose first member is a blob of {@code declared}
   * bytes: what a client sends before it stalls.
   */
  static byte[] stalledPrefix(long declared, int contentBytes) {
    byte[] content = new byte[contentBytes];
    Arrays.fill(content, (byte) 'x');
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(TarWriter.fileHeader("blobs/sha256/" + "ab".repeat(32), declared));
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static String descriptor(String mediaType, byte[] content) {
    return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + Sha256.digest(content) + "\",\"size\":"
        + content.length + "}";
  }
}
