package io.layercake.archive;

import io.layercake.testkit.Sha256;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * Generated hostile image archives for property tests: mostly real layouts (OCI with indexes
 * nested up to 12 deep, docker's legacy format) broken in random ways, and member soups with
 * names, links, sizes and headers no writer would produce. Each comes with a short description,
 * which is what a failing property reports.
 */
public final class HostileArchives {

  private static final int BLOCK = 512;
  private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  private static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  private static final List<String> NAMES = List.of("docker.io/library/ok:1", "ok:1", "1", "Bad Name", "",
      "a".repeat(300) + ":1", "quay.io/x/y:2", "ok@sha256:" + "0".repeat(64), "localhost:5000/a:b", "x/../y:1");
  private static final List<String> HOSTILE_PATHS = List.of("../../../../etc/passwd", "/etc/shadow", "index.json",
      "manifest.json", "blobs/sha256/" + "0".repeat(64), "./././a", "a/../../b.json", "", "/", "..", "dir/",
      "\u00e9t\u00e9.json", "x".repeat(150), "blobs/sha256/../../index.json");

  private HostileArchives() {}

  /**
   * An archive as the client sends it.
   *
   * @param description what was generated and how it was broken
   * @param bytes the archive
   * @param length the Content-Length the client declares, if any
   */
  public record HostileArchive(String description, byte[] bytes, OptionalLong length) {
    @Override
    public String toString() {
      return description + " [" + bytes.length + " bytes, Content-Length " + length + "]";
    }
  }

  /** A hostile archive drawn from {@code random}: the same seed always gives the same archive. */
  public static HostileArchive archive(Random random) {
    return generate(random);
  }

  /** A byte soup that may or may not start like a tar, drawn from {@code random}. */
  public static byte[] tarLikeBytes(Random random) {
    HostileArchive archive = generate(random);
    byte[] bytes = archive.bytes();
    if (random.nextInt(4) == 0) {
      bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
    }
    for (int flips = random.nextInt(4); flips > 0 && bytes.length > 0; flips--) {
      bytes[random.nextInt(bytes.length)] ^= (byte) (1 + random.nextInt(255));
    }
    return bytes;
  }

  /**
   * A JSON-ish document drawn from {@code random}: token soups over the fields the load reads,
   * deep nestings, floods of entries.
   */
  public static byte[] hostileJson(Random random) {
    return hostileJsonText(random).getBytes(StandardCharsets.UTF_8);
  }

  private static HostileArchive generate(Random random) {
    List<String> story = new ArrayList<>();
    List<Member> members;
    switch (random.nextInt(5)) {
      case 0, 1 -> members = ociLayout(random, story);
      case 2 -> members = legacyLayout(random, story);
      default -> members = soup(random, story);
    }
    for (int mutations = random.nextInt(4); mutations > 0; mutations--) {
      mutate(random, members, story);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    members.forEach(member -> out.writeBytes(member.render()));
    if (random.nextInt(5) > 0) {
      out.writeBytes(new byte[2 * BLOCK]);
    } else {
      story.add("no end blocks");
    }
    byte[] bytes = out.toByteArray();
    if (random.nextInt(7) == 0) {
      bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
      story.add("truncated to " + bytes.length);
    }
    OptionalLong length;
    switch (random.nextInt(4)) {
      case 0 -> length = OptionalLong.empty();
      case 1 -> length = OptionalLong.of(Math.max(0, bytes.length - random.nextInt(2000)));
      default -> length = OptionalLong.of(bytes.length);
    }
    return new HostileArchive(String.join("; ", story), bytes, length);
  }

  private static List<Member> ociLayout(Random random, List<String> story) {
    List<Member> members = new ArrayList<>();
    List<String> layerDescriptors = new ArrayList<>();
    for (int i = random.nextInt(3) + 1; i > 0; i--) {
      byte[] layer = randomBytes(random, random.nextInt(3000));
      members.add(new File(blobPath(layer), layer));
      layerDescriptors.add(descriptor("application/vnd.oci.image.layer.v1.tar", layer));
    }
    byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
    members.add(new File(blobPath(config), config));
    String manifestType = random.nextBoolean() ? OCI_MANIFEST : DOCKER_MANIFEST;
    byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + manifestType + "\",\"config\":"
        + descriptor("application/vnd.oci.image.config.v1+json", config) + ",\"layers\":["
        + String.join(",", layerDescriptors) + "]}").getBytes(StandardCharsets.UTF_8);
    members.add(new File(blobPath(manifest), manifest));
    String top = descriptor(manifestType, manifest);
    int depth = random.nextInt(13);
    for (int level = 1; level <= depth; level++) {
      List<String> children = new ArrayList<>();
      for (int i = random.nextInt(3) + 1; i > 0; i--) {
        children.add(top);
      }
      if (random.nextInt(4) == 0) {
        children.add(descriptor(OCI_MANIFEST, randomBytes(random, 10)));
      }
      byte[] index = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":["
          + String.join(",", children) + "]}").getBytes(StandardCharsets.UTF_8);
      members.add(new File(blobPath(index), index));
      top = descriptor(OCI_INDEX, index);
    }
    List<String> entries = new ArrayList<>();
    for (int i = random.nextInt(3) + 1; i > 0; i--) {
      String name = pick(random, NAMES);
      entries.add(top.substring(0, top.length() - 1) + ",\"annotations\":{\""
          + (random.nextBoolean() ? "io.containerd.image.name" : "org.opencontainers.image.ref.name") + "\":\""
          + name + "\"}}");
    }
    members.add(new File("index.json", ("{\"schemaVersion\":2,\"manifests\":[" + String.join(",", entries) + "]}")
        .getBytes(StandardCharsets.UTF_8)));
    if (random.nextBoolean()) {
      members.add(new File("manifest.json", ("[{\"Config\":\"" + blobPath(config) + "\",\"RepoTags\":[\""
          + pick(random, NAMES) + "\"],\"Layers\":[]}]").getBytes(StandardCharsets.UTF_8)));
    }
    members.add(new File("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8)));
    story.add("OCI layout, " + layerDescriptors.size() + " layers, " + manifestType + ", " + depth
        + " index levels, " + entries.size() + " index.json entries");
    return members;
  }

  private static List<Member> legacyLayout(Random random, List<String> story) {
    List<Member> members = new ArrayList<>();
    List<String> paths = new ArrayList<>();
    int layers = random.nextInt(3) + 1;
    for (int i = 0; i < layers; i++) {
      String id = Sha256.hex(Sha256.digest(randomBytes(random, 8)));
      members.add(new Directory(id + "/"));
      members.add(new File(id + "/layer.tar", randomBytes(random, random.nextInt(3000))));
      paths.add(id + "/layer.tar");
    }
    if (random.nextBoolean()) {
      String id = Sha256.hex(Sha256.digest(randomBytes(random, 8)));
      members.add(new Link(id + "/layer.tar", "../" + paths.get(0), '2'));
      paths.add(id + "/layer.tar");
    }
    byte[] config = "{\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
    String configName = Sha256.hex(Sha256.digest(config)) + ".json";
    members.add(new File(configName, config));
    int repeats = random.nextInt(4) == 0 ? 1 + random.nextInt(2000) : 1;
    List<String> listed = new ArrayList<>();
    for (int i = 0; i < repeats; i++) {
      listed.addAll(paths);
    }
    members.add(new File("manifest.json", ("[{\"Config\":\"" + configName + "\",\"RepoTags\":[\"" + pick(random, NAMES)
        + "\"],\"Layers\":[" + listed.stream().map(path -> "\"" + path + "\"").collect(Collectors.joining(","))
        + "]}]").getBytes(StandardCharsets.UTF_8)));
    story.add("legacy layout, " + layers + " layers listed " + repeats + " times");
    return members;
  }

  private static List<Member> soup(Random random, List<String> story) {
    List<Member> members = new ArrayList<>();
    for (int i = random.nextInt(12); i > 0; i--) {
      members.add(randomMember(random));
    }
    story.add("soup of " + members.size() + " members: "
        + members.stream().map(Member::describe).collect(Collectors.joining(", ")));
    return members;
  }

  private static Member randomMember(Random random) {
    switch (random.nextInt(9)) {
      case 0:
        return new File(pick(random, HOSTILE_PATHS), randomBytes(random, random.nextInt(2000)));
      case 1:
        byte[] content = randomBytes(random, random.nextInt(2000));
        return new File(blobPath(content), content);
      case 2:
        return new File(random.nextBoolean() ? "index.json" : "manifest.json",
            hostileJson(random));
      case 3:
        return new Link(pick(random, HOSTILE_PATHS), pick(random, HOSTILE_PATHS), random.nextBoolean() ? '1' : '2');
      case 4:
        return new Directory(pick(random, HOSTILE_PATHS));
      case 5:
        return new LyingHeader(pick(random, HOSTILE_PATHS), random.nextInt(5), randomBytes(random, random.nextInt(1500)));
      case 6:
        return new Pax(randomPaxRecords(random), new File(pick(random, HOSTILE_PATHS), randomBytes(random, 10)));
      case 7:
        return new Garbage(randomBytes(random, 1 + random.nextInt(1200)));
      default:
        return new File("big-" + random.nextInt(100) + ".json", bigJson(random, 1 + random.nextInt(300 * 1024)));
    }
  }

  private static void mutate(Random random, List<Member> members, List<String> story) {
    int at = members.isEmpty() ? 0 : random.nextInt(members.size());
    switch (random.nextInt(9)) {
      case 0 -> {
        if (!members.isEmpty()) {
          members.add(random.nextBoolean() ? members.size() : at, members.get(at));
          story.add("member " + members.get(at).describe() + " repeated");
        }
      }
      case 1 -> {
        if (!members.isEmpty()) {
          story.add("member " + members.remove(at).describe() + " dropped");
        }
      }
      case 2 -> {
        if (!members.isEmpty() && members.get(at) instanceof File file && file.content().length > 0) {
          byte[] changed = file.content().clone();
          changed[random.nextInt(changed.length)] ^= 0x20;
          members.set(at, new File(file.name(), changed));
          story.add("a byte of " + file.name() + " flipped");
        }
      }
      case 3 -> {
        String name = random.nextBoolean() ? "index.json" : "manifest.json";
        members.removeIf(member -> member instanceof File file && file.name().equals(name));
        members.add(new File(name, hostileJson(random)));
        story.add(name + " replaced by hostile JSON");
      }
      case 4 -> {
        members.add(at, new Link("loop-a", "loop-b", '2'));
        members.add(at, new Link("loop-b", "loop-a", '1'));
        members.add(at, new Link(pick(random, HOSTILE_PATHS), pick(random, HOSTILE_PATHS), '2'));
        story.add("links in a loop and outside");
      }
      case 5 -> {
        members.add(at, new LyingHeader("blobs/sha256/" + "ab".repeat(32), random.nextInt(5),
            randomBytes(random, random.nextInt(1500))));
        story.add("a header lying about its size");
      }
      case 6 -> {
        members.add(at, new Garbage(randomBytes(random, 1 + random.nextInt(1200))));
        story.add("garbage bytes");
      }
      case 7 -> {
        for (int i = 0; i < 6; i++) {
          members.add(new File("flood-" + i + ".json", bigJson(random, 200 * 1024)));
        }
        story.add("six JSON members of 200 KiB");
      }
      default -> {
        if (!members.isEmpty() && members.get(at) instanceof File file) {
          String longName = "long/".repeat(40) + file.name();
          members.set(at, random.nextBoolean() ? new Pax(List.of("path=" + longName), new File("short", file.content()))
              : new GnuLongName(longName, file.content()));
          story.add(file.name() + " renamed to a long name");
        }
      }
    }
  }

  private static String hostileJsonText(Random random) {
    switch (random.nextInt(6)) {
      case 0:
        return "[".repeat(random.nextInt(5000)) + "]".repeat(random.nextInt(5000));
      case 1:
        return "{\"manifests\":[" + "{},".repeat(random.nextInt(20_000)) + "{}]}";
      case 2: {
        String descriptor = "{\"mediaType\":\"" + OCI_MANIFEST + "\",\"digest\":\"sha256:" + "1".repeat(64)
            + "\",\"size\":" + random.nextInt(100) + "}";
        return "{\"manifests\":[" + String.join(",", Collections.nCopies(random.nextInt(3000) + 1, descriptor))
            + "],\"layers\":[],\"config\":" + descriptor + "}";
      }
      case 3:
        return "[{\"Config\":\"c.json\",\"RepoTags\":[" + String.join(",",
            Collections.nCopies(random.nextInt(3000) + 1, "\"" + pick(random, NAMES) + "\""))
            + "],\"Layers\":[\"c.json\"]}]";
      case 4:
        return "{\"manifests\":\"" + "x".repeat(random.nextInt(100_000)) + "\"}";
      default: {
        StringBuilder soup = new StringBuilder();
        String[] tokens = {"{", "}", "[", "]", ",", ":", "\"manifests\"", "\"mediaType\"", "\"digest\"", "\"size\"",
            "\"annotations\"", "\"config\"", "\"layers\"", "\"Config\"", "\"RepoTags\"", "\"Layers\"",
            "\"sha256:" + "2".repeat(64) + "\"", "1", "-1", "99999999999999999999999", "1.5e300", "null", "true",
            "\"" + OCI_INDEX + "\"", "\"x\"", "\"\\u0000\"", "\"\\ud800\""};
        for (int i = random.nextInt(300); i > 0; i--) {
          soup.append(tokens[random.nextInt(tokens.length)]);
        }
        return soup.toString();
      }
    }
  }

  private static byte[] bigJson(Random random, int size) {
    byte[] json = new byte[Math.max(2, size)];
    Arrays.fill(json, (byte) ' ');
    json[0] = '[';
    json[json.length - 1] = ']';
    return json;
  }

  private static List<String> randomPaxRecords(Random random) {
    List<String> records = new ArrayList<>();
    String[] keys = {"path", "linkpath", "size", "mtime", "comment"};
    String[] values = {"-5", "99999999999999999999", "1" + "0".repeat(18), "abc", "", "../../x", "1000000000000"};
    for (int i = random.nextInt(4) + 1; i > 0; i--) {
      records.add(keys[random.nextInt(keys.length)] + "=" + values[random.nextInt(values.length)]);
    }
    return records;
  }

  private static String descriptor(String mediaType, byte[] content) {
    return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + Sha256.digest(content) + "\",\"size\":"
        + content.length + "}";
  }

  private static String blobPath(byte[] content) {
    return "blobs/sha256/" + Sha256.hex(Sha256.digest(content));
  }

  private static byte[] randomBytes(Random random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }

  private static <T> T pick(Random random, List<T> values) {
    return values.get(random.nextInt(values.size()));
  }

  /** One member as it goes into the archive. */
  private sealed interface Member permits File, Link, Directory, LyingHeader, Pax, GnuLongName, Garbage {
    byte[] render();

    String describe();
  }

  private record File(String name, byte[] content) implements Member {
    @Override
    public byte[] render() {
      return withContent(header(name, octal(content.length, 12), '0', ""), content);
    }

    @Override
    public String describe() {
      return "file " + shortened(name) + " (" + content.length + ")";
    }
  }

  private record Link(String name, String target, char type) implements Member {
    @Override
    public byte[] render() {
      return header(name, octal(0, 12), type, target);
    }

    @Override
    public String describe() {
      return (type == '1' ? "hard" : "symbolic") + " link " + shortened(name) + " -> " + shortened(target);
    }
  }

  private record Directory(String name) implements Member {
    @Override
    public byte[] render() {
      return header(name, octal(0, 12), '5', "");
    }

    @Override
    public String describe() {
      return "directory " + shortened(name);
    }
  }

  /** A file header whose size field lies: huge in base-256, negative, not a number, or more than follows. */
  private record LyingHeader(String name, int lie, byte[] content) implements Member {
    @Override
    public byte[] render() {
      byte[] size;
      switch (lie) {
        case 0 -> {
          size = new byte[12];
          size[0] = (byte) 0x80;
          Arrays.fill(size, 4, 12, (byte) 0x7f);
        }
        case 1 -> size = "-0000000001\0".getBytes(StandardCharsets.US_ASCII);
        case 2 -> size = "zzzzzzzzzzz\0".getBytes(StandardCharsets.US_ASCII);
        case 3 -> {
          size = new byte[12];
          Arrays.fill(size, (byte) 0xff);
        }
        default -> size = octal(content.length + 100_000, 12);
      }
      return withContent(header(name, size, '0', ""), content);
    }

    @Override
    public String describe() {
      return "header of " + shortened(name) + " with size lie " + lie;
    }
  }

  private record Pax(List<String> records, File then) implements Member {
    @Override
    public byte[] render() {
      StringBuilder data = new StringBuilder();
      for (String record : records) {
        String body = " " + record + "\n";
        int length = body.length() + 1;
        while (String.valueOf(length).length() + body.length() != length) {
          length++;
        }
        data.append(length).append(body);
      }
      byte[] bytes = data.toString().getBytes(StandardCharsets.UTF_8);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes(withContent(header("PaxHeader", octal(bytes.length, 12), 'x', ""), bytes));
      out.writeBytes(then.render());
      return out.toByteArray();
    }

    @Override
    public String describe() {
      return "PAX " + records + " then " + then.describe();
    }
  }

  private record GnuLongName(String name, byte[] content) implements Member {
    @Override
    public byte[] render() {
      byte[] nameBytes = (name + "\0").getBytes(StandardCharsets.UTF_8);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes(withContent(header("././@LongLink", octal(nameBytes.length, 12), 'L', ""), nameBytes));
      out.writeBytes(new File("short", content).render());
      return out.toByteArray();
    }

    @Override
    public String describe() {
      return "GNU long name " + shortened(name);
    }
  }

  private record Garbage(byte[] bytes) implements Member {
    @Override
    public byte[] render() {
      return bytes;
    }

    @Override
    public String describe() {
      return bytes.length + " garbage bytes";
    }
  }

  /** A ustar header with any name (cut at 100 bytes), any size field and a correct checksum. */
  private static byte[] header(String name, byte[] size, char type, String link) {
    byte[] header = new byte[BLOCK];
    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(nameBytes, 0, header, 0, Math.min(100, nameBytes.length));
    System.arraycopy(octal(0644, 8), 0, header, 100, 8);
    System.arraycopy(octal(0, 8), 0, header, 108, 8);
    System.arraycopy(octal(0, 8), 0, header, 116, 8);
    System.arraycopy(size, 0, header, 124, 12);
    System.arraycopy(octal(0, 12), 0, header, 136, 12);
    header[156] = (byte) type;
    byte[] linkBytes = link.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(linkBytes, 0, header, 157, Math.min(100, linkBytes.length));
    System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, header, 257, 6);
    System.arraycopy("00".getBytes(StandardCharsets.US_ASCII), 0, header, 263, 2);
    Arrays.fill(header, 148, 156, (byte) ' ');
    long sum = 0;
    for (byte b : header) {
      sum += b & 0xff;
    }
    System.arraycopy(octal(sum, 8), 0, header, 148, 8);
    return header;
  }

  private static byte[] withContent(byte[] header, byte[] content) {
    int padded = (content.length + BLOCK - 1) / BLOCK * BLOCK;
    byte[] all = new byte[header.length + padded];
    System.arraycopy(header, 0, all, 0, header.length);
    System.arraycopy(content, 0, all, header.length, content.length);
    return all;
  }

  /** {@code value} as zero-padded octal filling a field of {@code length} bytes, the last a NUL. */
  private static byte[] octal(long value, int length) {
    String digits = Long.toOctalString(value);
    return ("0".repeat(Math.max(0, length - 1 - digits.length())) + digits + "\0").getBytes(StandardCharsets.US_ASCII);
  }

  private static String shortened(String text) {
    return text.length() > 40 ? text.substring(0, 40) + "..." : text;
  }
}
