package io.layercake.loadtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Memory of a running process, from {@code /proc/<pid>/status}: the resident set now ({@code
 * VmRSS}) and its high-water mark since start ({@code VmHWM}), which the kernel keeps, so no peak
 * between two samples is missed. The JVM's heap use comes from its GC log.
 */
final class ProcessMemory {

  private static final Pattern GC_PAUSE = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

  private ProcessMemory() {}

  /** {@code VmRSS} in bytes. */
  static long rss(long pid) throws IOException {
    return statusKilobytes(pid, "VmRSS:") * 1024;
  }

  /** {@code VmHWM} in bytes: the peak resident set so far. */
  static long peakRss(long pid) throws IOException {
    return statusKilobytes(pid, "VmHWM:") * 1024;
  }

  /**
   * The largest heap occupancy and committed heap that {@code -Xlog:gc} lines report (each pause
   * prints {@code before->after(committed)}), in bytes: {@code [peakUsed, peakCommitted]}.
   */
  static long[] heapFromGcLog(Path gcLog) throws IOException {
    long used = 0;
    long committed = 0;
    List<String> lines = Files.exists(gcLog) ? Files.readAllLines(gcLog) : List.of();
    for (String line : lines) {
      Matcher matcher = GC_PAUSE.matcher(line);
      if (matcher.find()) {
        used = Math.max(used, Long.parseLong(matcher.group(1)));
        committed = Math.max(committed, Long.parseLong(matcher.group(3)));
      }
    }
    return new long[] {used * 1024 * 1024, committed * 1024 * 1024};
  }

  private static long statusKilobytes(long pid, String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith(field)) {
        return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
      }
    }
    throw new IOException("no " + field + " in /proc/" + pid + "/status");
  }
}
