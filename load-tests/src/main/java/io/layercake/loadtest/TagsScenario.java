package io.layercake.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.MirrorClient;
import io.layercake.testkit.NodeProcessCluster;
import io.layercake.testkit.Platform;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.TestImage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code tags}: what Docker Hub's pull limit and moving tags do to a CI fleet behind a 3-node
 * cluster. Two runs against the in-JVM fake registry:
 *
 * <ul>
 *   <li>budget: the fake enforces N manifest GETs per sliding window with Docker Hub's headers and
 *       429 body. Runners pull tags (Zipf popularity) for 3 windows while a publisher moves tags
 *       and an operator prewarms: more GETs than the limit allows. Reported per window: upstream's
 *       GETs and HEADs, its 429s (the target is none), and what clients got (fresh, stale with a
 *       Warning, the mirror's own 429 for what it lacks); and the GETs by kind.
 *   <li>refresh: runners pull linux/amd64 of 8 multi-platform tags; then the 5 hottest move
 *       upstream. With predictive refresh on, the blobs of the new images should all be fetched
 *       ahead of the fleet's first pull of them; with it off, the fleet's pulls fetch them. Both
 *       runs are reported.
 * </ul>
 */
final class TagsScenario implements Scenario {

  /** The token the test clusters' nodes are started with. */
  private static final String TOKEN = NodeProcessCluster.ADMIN_TOKEN;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double ZIPF_EXPONENT = 1.1;
  private static final String GETS = "layercake_upstream_manifest_pulls_total";
  private static final String HEADS = "layercake_upstream_manifest_heads_total";

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Override
  public Section run(Bench bench) throws Exception {
    Section section = new Section("Tags: a pull limit, and tags that move");
    budget(bench, section);
    for (boolean refresh : new boolean[] {true, false}) {
      refresh(bench, section, refresh);
    }
    return section;
  }

  // ---- budget --------------------------------------------------------------------------------

  private void budget(Bench bench, Section section) throws Exception {
    boolean quick = bench.options().quick();
    Duration window = Duration.ofSeconds(quick ? 20 : 40);
    int limit = 20;
    int tags = 30;
    int runners = 6;
    int windows = 3;
    try (FakeRegistry hub = FakeRegistry.start(FakeRegistry.Options.defaults().pullLimit(limit, window))) {
      AtomicInteger seeds = new AtomicInteger(1000);
      for (int i = 0; i < tags; i++) {
        FakeImages.publish(hub, "library/t" + i, "1", TestImage.singlePlatform(ImageFormat.OCI, seeds.incrementAndGet(), 100));
      }
      Map<String, Object> settings = new LinkedHashMap<>();
      settings.put("layercake.manifests.tag-ttl", "4s");
      settings.put("layercake.manifests.refresh.hot-pulls", 5);
      settings.put("layercake.manifests.refresh.lead-time", "2s");
      settings.put("layercake.upstream-client.budget-reserve", "0.2");
      settings.put("layercake.upstream-client.budget-backoff", window.dividedBy(8).toSeconds() + "s");
      try (LayercakeMirror mirror = LayercakeMirror.start(3, bench.folder("budget"), hub.url(), settings, List.of())) {
        List<String> urls = mirror.urls();
        WindowCounts[] counts = new WindowCounts[windows];
        for (int w = 0; w < windows; w++) {
          counts[w] = new WindowCounts();
        }
        long start = System.nanoTime();
        long end = start + window.toNanos() * windows;
        Zipf zipf = new Zipf(tags, ZIPF_EXPONENT);
        ExecutorService pool = Executors.newFixedThreadPool(runners + 2);
        List<Future<?>> work = startRunners(pool, runners, end, (runner, n, random) -> {
          String url = urls.get((runner + n) % urls.size());
          int tag = zipf.sample(random);
          HttpResponse<Void> answer = send(HttpRequest.newBuilder(
                  URI.create(url + "/v2/library/t" + tag + "/manifests/1"))
              .header("Accept", MirrorClient.MANIFEST_ACCEPT).build());
          WindowCounts bucket = counts[bucketOf(start, window, windows)];
          if (answer == null || (answer.statusCode() != 200 && answer.statusCode() != 429)) {
            bucket.errors.incrementAndGet();
          } else if (answer.statusCode() == 429) {
            bucket.refused.incrementAndGet();
          } else if (answer.headers().firstValue("Warning").isPresent()) {
            bucket.stale.incrementAndGet();
          } else {
            bucket.fresh.incrementAndGet();
          }
          pause(100);
        });
        // The publisher moves a tag (popular ones more often) every window/6.
        work.add(pool.submit(() -> {
          Random random = new Random(99);
          while (sleepUntilOrEnd(window.dividedBy(6), end)) {
            int tag = zipf.sample(random);
            FakeImages.publish(hub, "library/t" + tag, "1",
                TestImage.singlePlatform(ImageFormat.OCI, seeds.incrementAndGet(), 100));
          }
          return null;
        }));
        // The operator prewarms a tag every window/4.
        AtomicInteger prewarmsRefused = new AtomicInteger();
        AtomicInteger prewarms = new AtomicInteger();
        work.add(pool.submit(() -> {
          Random random = new Random(7);
          while (sleepUntilOrEnd(window.dividedBy(4), end)) {
            HttpResponse<Void> answer = send(HttpRequest.newBuilder(URI.create(urls.get(0)
                    + "/admin/pull?image=t" + random.nextInt(tags) + ":1"))
                .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build());
            prewarms.incrementAndGet();
            if (answer != null && answer.statusCode() == 429) {
              prewarmsRefused.incrementAndGet();
            }
          }
          return null;
        }));
        // Upstream's counts at each window's end.
        int[] gets = new int[windows];
        int[] heads = new int[windows];
        for (int w = 0; w < windows; w++) {
          long boundary = start + window.toNanos() * (w + 1);
          pause(Math.max(0, (boundary - System.nanoTime()) / 1_000_000));
          gets[w] = hub.count("GET", "/manifests/");
          heads[w] = hub.count("HEAD", "/manifests/");
        }
        for (Future<?> each : work) {
          each.get(window.toSeconds() + 60, TimeUnit.SECONDS);
        }
        pool.shutdownNow();
        Map<String, Long> byKind = countsByKind(urls, GETS);
        Map<String, Long> headsByKind = countsByKind(urls, HEADS);

        Table perWindow = new Table("window", "upstream manifest GETs (limit " + limit + ")", "upstream HEADs",
            "upstream 429s", "client pulls: fresh", "stale, with Warning", "429 from the mirror", "errors");
        int totalErrors = 0;
        for (int w = 0; w < windows; w++) {
          WindowCounts c = counts[w];
          perWindow.row(w + 1, gets[w] - (w == 0 ? 0 : gets[w - 1]), heads[w] - (w == 0 ? 0 : heads[w - 1]),
              w == windows - 1 ? hub.pullsRefused() + " (whole run)" : "", c.fresh, c.stale, c.refused, c.errors);
          totalErrors += c.errors.get();
        }
        Table kinds = new Table("by kind (the cluster's count)", "user", "prewarm", "refresh",
            "total", "allowed in " + windows + " windows");
        kinds.row("manifest GETs (count against the limit)", byKind.getOrDefault("user", 0L),
            byKind.getOrDefault("prewarm", 0L), byKind.getOrDefault("refresh", 0L),
            byKind.values().stream().mapToLong(Long::longValue).sum(), limit * windows);
        kinds.row("manifest HEADs (free)", headsByKind.getOrDefault("user", 0L),
            headsByKind.getOrDefault("prewarm", 0L), headsByKind.getOrDefault("refresh", 0L),
            headsByKind.values().stream().mapToLong(Long::longValue).sum(), "-");
        section.text("Budget: the fake upstream allows " + limit + " manifest GETs per " + window.toSeconds()
            + " s sliding window (Docker Hub's headers and 429). " + runners + " runners pull " + tags
            + " tags (Zipf) through 3 nodes for " + windows + " windows, a publisher moves a tag every "
            + window.dividedBy(6).toSeconds() + " s and an operator prewarms one every "
            + window.dividedBy(4).toSeconds() + " s (" + prewarms + " prewarms, " + prewarmsRefused
            + " refused by the budget). tag-ttl 4 s, budget-reserve 20 %.")
            .table(perWindow).table(kinds);
        section.target("upstream never answers 429", hub.pullsRefused() + " upstream 429s", hub.pullsRefused() == 0);
        section.target("clients get content, stale content or the mirror's 429, never an error",
            totalErrors + " errors", totalErrors == 0);
      }
    }
  }

  private static final class WindowCounts {
    final AtomicInteger fresh = new AtomicInteger();
    final AtomicInteger stale = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();
    final AtomicInteger errors = new AtomicInteger();
  }

  private static int bucketOf(long start, Duration window, int windows) {
    return (int) Math.min(windows - 1, (System.nanoTime() - start) / window.toNanos());
  }

  // ---- refresh -------------------------------------------------------------------------------

  private void refresh(Bench bench, Section section, boolean refresh) throws Exception {
    boolean quick = bench.options().quick();
    int tags = 8;
    int moved = 5;
    int runners = 6;
    Duration ttl = Duration.ofSeconds(6);
    try (FakeRegistry hub = FakeRegistry.start()) {
      Map<Integer, Image> current = new ConcurrentHashMap<>();
      long layer = quick ? 200_000 : 2_000_000;
      for (int i = 0; i < tags; i++) {
        Image image = TestImage.multiPlatform(ImageFormat.OCI, 500 + i, layer, layer / 2);
        FakeImages.publish(hub, "library/base" + i, "1", image);
        current.put(i, image);
      }
      Map<String, Object> settings = new LinkedHashMap<>();
      settings.put("layercake.manifests.tag-ttl", ttl.toSeconds() + "s");
      settings.put("layercake.manifests.refresh.enabled", refresh);
      settings.put("layercake.manifests.refresh.hot-pulls", 5);
      settings.put("layercake.manifests.refresh.lead-time", "3s");
      try (LayercakeMirror mirror = LayercakeMirror.start(3, bench.folder("refresh-" + refresh), hub.url(), settings,
          List.of())) {
        List<String> urls = mirror.urls();
        Zipf zipf = new Zipf(tags, ZIPF_EXPONENT);
        Map<Integer, Image> movedTo = new ConcurrentHashMap<>();
        Map<Integer, Long> aheadAtFirstPull = new ConcurrentHashMap<>();
        AtomicLong pulls = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long moveAt = System.nanoTime() + ttl.toNanos() * 2 + 1_000_000_000L;
        long end = moveAt + ttl.toNanos() * 3;
        ExecutorService pool = Executors.newFixedThreadPool(runners);
        List<Future<?>> work = startRunners(pool, runners, end, (runner, n, random) -> {
          int tag = zipf.sample(random);
          if (!pullAmd64(urls.get((runner + n) % urls.size()), tag, hub, movedTo, aheadAtFirstPull)) {
            errors.incrementAndGet();
          }
          pulls.incrementAndGet();
          pause(50);
        });
        pause(Math.max(0, (moveAt - System.nanoTime()) / 1_000_000));
        // The 5 most popular tags (Zipf ranks 0..4) move upstream.
        for (int i = 0; i < moved; i++) {
          Image image = TestImage.multiPlatform(ImageFormat.OCI, 900 + i, layer, layer / 2);
          movedTo.put(i, image);
          FakeImages.publish(hub, "library/base" + i, "1", image);
        }
        for (Future<?> each : work) {
          each.get(120, TimeUnit.SECONDS);
        }
        pool.shutdownNow();
        long newBlobs = 0;
        long fetched = 0;
        long ahead = 0;
        int firstPulled = 0;
        for (Map.Entry<Integer, Image> entry : movedTo.entrySet()) {
          List<String> blobs = amd64Blobs(entry.getValue());
          newBlobs += blobs.size();
          fetched += upstreamGets(hub, blobs);
          Long before = aheadAtFirstPull.get(entry.getKey());
          if (before != null) {
            ahead += before;
            firstPulled++;
          }
        }
        long cold = fetched - ahead;
        Map<String, Long> byKind = countsByKind(urls, GETS);
        Table table = new Table("predictive refresh", "moved tags pulled after the move",
            "their new linux/amd64 blobs", "fetched ahead of the fleet", "fetched on the fleet's path (cold)",
            "refresh manifest GETs", "client pulls", "errors");
        table.row(refresh ? "on" : "off", firstPulled + " of " + moved, newBlobs, ahead, cold,
            byKind.getOrDefault("refresh", 0L), pulls.get(), errors.get());
        section.text((refresh ? "Refresh on" : "Refresh off") + ": " + runners + " runners pull linux/amd64 of "
            + tags + " multi-platform tags (Zipf) through 3 nodes, tag-ttl " + ttl.toSeconds()
            + " s; after " + (ttl.toSeconds() * 2 + 1) + " s the " + moved + " most popular tags move upstream,"
            + " and the fleet pulls on for " + ttl.toSeconds() * 3 + " s. A blob GET counts as ahead if"
            + " upstream had it before the fleet's first pull of the tag's new image.").table(table);
        if (refresh) {
          section.target("with refresh on, the fleet's next pulls of moved hot tags fetch no blob cold",
          cold + " cold blob fetches (" + ahead + " of " + newBlobs + " fetched ahead, once each)",
          cold == 0 && firstPulled == moved && ahead == newBlobs);
        }
        section.target("clients' pulls all succeed, byte for byte (refresh " + (refresh ? "on" : "off") + ")",
            errors.get() + " errors in " + pulls.get() + " pulls", errors.get() == 0);
      }
    }
  }

  /**
   * Pulls linux/amd64 of tag {@code tag} as a client does, checking every digest; for a tag that
   * moved, notes at the fleet's first pull of its new image how many of that image's blobs
   * upstream had already been asked for.
   */
  private boolean pullAmd64(String url, int tag, FakeRegistry hub, Map<Integer, Image> movedTo,
      Map<Integer, Long> aheadAtFirstPull) throws IOException {
    String repository = url + "/v2/library/base" + tag;
    HttpResponse<byte[]> index = get(repository + "/manifests/1");
    if (index == null || index.statusCode() != 200) {
      return false;
    }
    Image target = movedTo.get(tag);
    if (target != null && RegistryClient.digestOf(index.body()).equals(target.digest())) {
      aheadAtFirstPull.computeIfAbsent(tag, t -> upstreamGets(hub, amd64Blobs(target)));
    }
    String child = null;
    for (JsonNode entry : JSON.readTree(index.body()).path("manifests")) {
      if ("amd64".equals(entry.path("platform").path("architecture").asText())) {
        child = entry.path("digest").asText();
      }
    }
    if (child == null) {
      return false;
    }
    HttpResponse<byte[]> manifest = get(repository + "/manifests/" + child);
    if (manifest == null || manifest.statusCode() != 200 || !RegistryClient.digestOf(manifest.body()).equals(child)) {
      return false;
    }
    for (String blob : blobsOf(manifest.body())) {
      HttpResponse<byte[]> body = get(repository + "/blobs/" + blob);
      if (body == null || body.statusCode() != 200 || !RegistryClient.digestOf(body.body()).equals(blob)) {
        return false;
      }
    }
    return true;
  }

  private static List<String> amd64Blobs(Image image) {
    try {
      return blobsOf(image.manifestFor(Platform.LINUX_AMD64).orElseThrow().bytes());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> blobsOf(byte[] manifest) throws IOException {
    JsonNode json = JSON.readTree(manifest);
    List<String> blobs = new ArrayList<>();
    blobs.add(json.path("config").path("digest").asText());
    json.path("layers").forEach(layer -> blobs.add(layer.path("digest").asText()));
    return blobs;
  }

  private static long upstreamGets(FakeRegistry hub, List<String> blobs) {
    return blobs.stream().mapToLong(blob -> hub.count("GET", "/blobs/" + blob)).sum();
  }

  // ---- plumbing ------------------------------------------------------------------------------

  /** One pull of a runner: its number, how many it made before, and its own random. */
  private interface RunnerStep {
    void pull(int runner, int n, Random random) throws Exception;
  }

  /** Starts {@code runners} runners on {@code pool}, each repeating {@code step} until {@code end} (nanoTime). */
  private static List<Future<?>> startRunners(ExecutorService pool, int runners, long end, RunnerStep step) {
    List<Future<?>> work = new ArrayList<>();
    for (int r = 0; r < runners; r++) {
      int runner = r;
      work.add(pool.submit(() -> {
        Random random = new Random(runner);
        for (int n = 0; System.nanoTime() < end; n++) {
          step.pull(runner, n, random);
        }
        return null;
      }));
    }
    return work;
  }

  /** A counter with a kind label, summed over every node's /metrics, by kind. */
  private Map<String, Long> countsByKind(List<String> urls, String counter) {
    Pattern sample = Pattern.compile("^" + counter + "\\{[^}]*kind=\"(\\w+)\"[^}]*\\} ([0-9.eE+]+)", Pattern.MULTILINE);
    Map<String, Long> byKind = new LinkedHashMap<>();
    for (String url : urls) {
      HttpResponse<byte[]> metrics = get(url + "/metrics");
      if (metrics == null) {
        continue;
      }
      Matcher m = sample.matcher(new String(metrics.body(), StandardCharsets.UTF_8));
      while (m.find()) {
        byKind.merge(m.group(1), (long) Double.parseDouble(m.group(2)), Long::sum);
      }
    }
    return byKind;
  }

  private HttpResponse<byte[]> get(String url) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
          .header("Accept", MirrorClient.MANIFEST_ACCEPT).build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private HttpResponse<Void> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Sleeps {@code period}; false if {@code end} (nanoTime) comes first. */
  private static boolean sleepUntilOrEnd(Duration period, long end) {
    long wake = System.nanoTime() + period.toNanos();
    if (wake >= end) {
      return false;
    }
    pause(period.toMillis());
    return true;
  }
}
