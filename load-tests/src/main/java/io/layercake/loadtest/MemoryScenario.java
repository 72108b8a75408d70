package io.layercake.loadtest;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code memory}: 16 clients pull 1 GB blobs at once through one node, cold (the blobs stream in
 * from upstream while they are served) and then warm (from disk), and the node's memory is read:
 * the peak resident set from the kernel's high-water mark, and the heap from the GC log. A node
 * that held a blob in memory, or buffered for a slow client, would grow with the blobs; one that
 * streams stays flat. The node runs with the launcher's default JVM options.
 */
final class MemoryScenario implements Scenario {

  private static final int CLIENTS = 16;
  private static final int DISTINCT_BLOBS = 4;
  private static final long LIMIT = 512L * 1024 * 1024;

  @Override
  public Section run(Bench bench) throws Exception {
    RunOptions options = bench.options();
    long blobSize = options.quick() ? 128_000_000L : 1_000_000_000L;
    Map<String, long[]> phases = new LinkedHashMap<>();
    Map<String, List<PullResult>> pulls = new LinkedHashMap<>();
    long[] heap;
    try (SimulatedInternet internet = bench.internet()) {
      ImageFactory factory = new ImageFactory(bench.folder("images"), 53);
      List<LoadImage> images = new ArrayList<>();
      for (int i = 0; i < DISTINCT_BLOBS; i++) {
        LoadImage image = factory.image("library/memory-" + i, "latest", blobSize);
        internet.publish(image);
        images.add(image);
      }
      Path gcLog = bench.folder("gc").resolve("gc.log");
      try (LayercakeMirror node = LayercakeMirror.start(1, bench.folder("layercake"), internet.url(), Map.of(),
          List.of("-Xlog:gc:file=" + gcLog))) {
        long pid = node.pid().orElseThrow();
        String url = node.urls().get(0);
        for (String phase : List.of("cold", "warm")) {
          AtomicLong sampledPeak = new AtomicLong();
          ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
          sampler.scheduleAtFixedRate(() -> {
            try {
              sampledPeak.accumulateAndGet(ProcessMemory.rss(pid), Math::max);
            } catch (Exception e) {
              // the node has exited; the pulls will say why
            }
          }, 0, 200, TimeUnit.MILLISECONDS);
          long started = System.nanoTime();
          List<PullResult> results = Runners.run(CLIENTS, 20, (client, index) -> {
            LoadImage image = images.get(index % images.size());
            return client.pull(url, image.repository(), image.tag());
          });
          long wall = System.nanoTime() - started;
          sampler.shutdownNow();
          pulls.put(phase, results);
          phases.put(phase, new long[] {sampledPeak.get(), ProcessMemory.peakRss(pid), wall});
        }
      }
      heap = ProcessMemory.heapFromGcLog(gcLog);
    }
    return section(bench, phases, pulls, heap, blobSize);
  }

  private static Section section(Bench bench, Map<String, long[]> phases, Map<String, List<PullResult>> pulls,
      long[] heap, long blobSize) throws Exception {
    Section section = new Section("memory: " + CLIENTS + " concurrent pulls of " + Stats.megabytes(blobSize) + " blobs");
    section.text(CLIENTS + " clients pull " + DISTINCT_BLOBS + " distinct blobs of " + Stats.megabytes(blobSize)
        + " through one node at once (four clients per blob): first cold, streaming while the fill"
        + " runs, then warm from disk. The peak resident set is the kernel's high-water mark"
        + " (VmHWM) of the node's JVM, which includes the heap, RocksDB, thread stacks and direct"
        + " buffers. JVM options: " + (LayercakeMirror.JVM_OPTIONS.isEmpty() ? "none (the JVM's defaults)"
        : String.join(" ", LayercakeMirror.JVM_OPTIONS)) + ".");
    Table table = new Table("phase", "wall time", "bytes served", "throughput", "peak RSS (sampled)",
        "peak RSS so far (VmHWM)", "failed");
    long failed = 0;
    long peak = 0;
    Map<String, Double> bars = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> entry : phases.entrySet()) {
      long[] values = entry.getValue();
      List<PullResult> results = pulls.get(entry.getKey());
      long bytes = results.stream().mapToLong(PullResult::bytes).sum();
      long phaseFailed = results.stream().filter(pull -> !pull.ok()).count();
      failed += phaseFailed;
      peak = Math.max(peak, values[1]);
      table.row(entry.getKey(), Stats.ms(values[2] / 1e6), Stats.megabytes(bytes),
          Stats.number(bytes / (values[2] / 1e9) / 1e6) + " MB/s", mib(values[0]), mib(values[1]), phaseFailed);
      bars.put("peak RSS, " + entry.getKey(), values[1] / 1048576.0);
      results.stream().filter(pull -> !pull.ok()).findFirst()
          .ifPresent(pull -> section.text(entry.getKey() + " pull failed: " + pull.error()));
    }
    section.table(table);
    section.text("Heap, from the GC log: peak occupancy " + mib(heap[0]) + ", peak committed " + mib(heap[1]) + ".");
    bars.put("peak heap used", heap[0] / 1048576.0);
    section.target("peak RSS < 512 MB with 16 concurrent 1 GB pulls", mib(peak) + " (limit " + mib(LIMIT) + ")",
        failed == 0 && peak < LIMIT);
    Charts.bars(bench.chart("memory.png"), "Memory: node peak RSS and heap (MiB)", "MiB", bars);
    return section.chart("memory.png", "Peak resident set per phase, and peak heap");
  }

  private static String mib(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.0f MiB", bytes / 1048576.0);
  }
}
