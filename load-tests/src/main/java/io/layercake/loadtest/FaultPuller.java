package io.layercake.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A client host of the fault schedule, run in a client namespace of {@code netns-cluster}: pulls
 * images through random nodes until told to stop, each pull with up to three attempts a second
 * apart, every retry on the next node (what a load balancer in front of the cluster, or
 * containerd's list of hosts, does), and writes one JSON line per pull: when, every attempt's
 * node, start, duration and error, and whether a complete body had the wrong digest. The image list is a file the harness appends to when it pushes new
 * (cold) images; it is read again before every pull.
 *
 * <pre>FaultPuller NODE_URLS IMAGES_FILE OUT_FILE STOP_FILE SEED THREADS</pre>
 */
public final class FaultPuller {

  static final int ATTEMPTS = 3;
  private static final long RETRY_PAUSE_MILLIS = 1000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private FaultPuller() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 6) {
      System.err.println("usage: FaultPuller NODE_URLS(comma-separated) IMAGES_FILE OUT_FILE STOP_FILE SEED THREADS");
      System.exit(2);
    }
    List<String> nodes = List.of(args[0].split(","));
    Path images = Path.of(args[1]);
    Path out = Path.of(args[2]);
    Path stop = Path.of(args[3]);
    long seed = Long.parseLong(args[4]);
    int threads = Integer.parseInt(args[5]);
    try (BufferedWriter writer = Files.newBufferedWriter(out, StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      List<Thread> pullers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Random random = new Random(seed * 31 + t);
        Thread thread = new Thread(() -> pullUntilStopped(nodes, images, stop, random, writer), "puller-" + t);
        thread.start();
        pullers.add(thread);
      }
      for (Thread thread : pullers) {
        thread.join();
      }
    }
  }

  private static void pullUntilStopped(List<String> nodes, Path images, Path stop, Random random,
      BufferedWriter writer) {
    try (PullClient client = new PullClient()) {
      while (!Files.exists(stop)) {
        List<String> references = readImages(images);
        if (references.isEmpty()) {
          pause(200);
          continue;
        }
        int first = random.nextInt(nodes.size());
        String reference = references.get(random.nextInt(references.size()));
        String line = pull(client, nodes, first, reference);
        synchronized (writer) {
          writer.write(line);
          writer.newLine();
          writer.flush();
        }
      }
    } catch (IOException e) {
      System.err.println("FaultPuller: cannot write results: " + e.getMessage());
    }
  }

  /** One pull: the first attempt on node {@code first} (0-based), each retry on the next node. */
  private static String pull(PullClient client, List<String> nodes, int first, String reference) {
    int colon = reference.lastIndexOf(':');
    String repository = reference.substring(0, colon);
    String tag = reference.substring(colon + 1);
    ObjectNode record = JSON.createObjectNode();
    record.put("start", System.currentTimeMillis());
    record.put("image", reference);
    ArrayNode attempts = record.putArray("attempts");
    boolean ok = false;
    boolean wrongBytes = false;
    long bytes = 0;
    for (int attempt = 1; attempt <= ATTEMPTS && !ok; attempt++) {
      if (attempt > 1) {
        pause(RETRY_PAUSE_MILLIS);
      }
      int node = (first + attempt - 1) % nodes.size();
      long started = System.currentTimeMillis();
      PullResult result = client.pull(nodes.get(node), repository, tag);
      ObjectNode one = attempts.addObject();
      one.put("node", node + 1);
      one.put("start", started);
      one.put("ms", Math.round(result.millis()));
      if (result.ok()) {
        ok = true;
        bytes = result.bytes();
      } else {
        one.put("error", result.error().length() > 300 ? result.error().substring(0, 300) : result.error());
        wrongBytes |= result.wrongBytes();
      }
    }
    record.put("end", System.currentTimeMillis());
    record.put("ok", ok);
    record.put("wrongBytes", wrongBytes);
    record.put("bytes", bytes);
    return record.toString();
  }

  private static List<String> readImages(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::strip)
          .filter(line -> !line.isEmpty()).toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
