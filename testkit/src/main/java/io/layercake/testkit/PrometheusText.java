package io.layercake.testkit;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/*
 * Implementation notes
 *
 * A strict reader of the Prometheus text exposition format 0.0.4, written from the format's
 * description, so that a test can prove /metrics is what a Prometheus server accepts without a
 * client library on the class path. Stricter than Prometheus where that catches our mistakes:
 *
 * - every sample belongs to a family announced by # TYPE (and # HELP), before its samples;
 * - a family's samples are contiguous, and no series (name plus label set) repeats;
 * - counters are named *_total; histogram samples are name_bucket{le=...}, name_sum and
 *   name_count only, buckets cumulative, ending in le="+Inf", which equals _count;
 * - label values use only the escapes \\, \" and \n; HELP text only \\ and \n;
 * - the text ends with a newline.
 */

/** Parses and validates Prometheus text exposition; a malformed input fails with its line. */
public final class PrometheusText {

  private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
  private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (.*)");
  private static final Pattern TYPE =
      Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
  private static final Pattern SAMPLE =
      Pattern.compile("(" + NAME + ")(\\{(.*)})? (\\S+)( -?[0-9]+)?");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Pattern FLOAT = Pattern.compile(
      "[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?Inf|NaN");

  private final Map<String, Family> families;

  private PrometheusText(Map<String, Family> families) {
    this.families = families;
  }

  /**
   * One metric family.
   *
   * @param name its name
   * @param type counter, gauge, histogram, summary or untyped
   * @param help its help text, unescaped
   * @param samples its samples in order
   */
  public record Family(String name, String type, String help, List<Sample> samples) {}

  /**
   * One sample line.
   *
   * @param name the sample's name (for histograms with its _bucket, _sum or _count suffix)
   * @param labels its labels, unescaped
   * @param value its value
   */
  public record Sample(String name, Map<String, String> labels, double value) {}

  /** Parses {@code text}; throws {@link IllegalArgumentException} naming the first bad line. */
  public static PrometheusText parse(String text) {
    if (!text.isEmpty() && !text.endsWith("\n")) {
      throw new IllegalArgumentException("the exposition must end with a newline");
    }
    Map<String, Family> families = new LinkedHashMap<>();
    Map<String, String> helps = new LinkedHashMap<>();
    Set<String> series = new HashSet<>();
    Set<String> closed = new HashSet<>();
    Family current = null;
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length - 1; i++) {
      String line = lines[i];
      String where = "line " + (i + 1) + " \"" + line + "\": ";
      if (line.isEmpty()) {
        continue;
      }
      Matcher help = HELP.matcher(line);
      Matcher type = TYPE.matcher(line);
      if (help.matches()) {
        if (helps.put(help.group(1), unescape(help.group(2), false, where)) != null) {
          throw new IllegalArgumentException(where + "second HELP for " + help.group(1));
        }
        continue;
      }
      if (type.matches()) {
        String name = type.group(1);
        if (families.containsKey(name)) {
          throw new IllegalArgumentException(where + "second TYPE for " + name);
        }
        if (type.group(2).equals("counter") && !name.endsWith("_total")) {
          throw new IllegalArgumentException(where + "counter not named *_total");
        }
        if (current != null) {
          closed.add(current.name());
        }
        current = new Family(name, type.group(2), helps.get(name), new ArrayList<>());
        families.put(name, current);
        continue;
      }
      if (line.startsWith("#")) {
        if (line.startsWith("# HELP") || line.startsWith("# TYPE")) {
          throw new IllegalArgumentException(where + "malformed HELP or TYPE line");
        }
        continue;
      }
      Matcher sample = SAMPLE.matcher(line);
      if (!sample.matches()) {
        throw new IllegalArgumentException(where + "not a sample line");
      }
      String name = sample.group(1);
      if (current == null || !belongs(current, name)) {
        throw new IllegalArgumentException(where + "sample outside its family's TYPE block"
            + (closed.contains(name) ? " (family already closed)" : ""));
      }
      Map<String, String> labels = sample.group(3) == null ? new TreeMap<>()
          : labels(sample.group(3), where);
      String value = sample.group(4);
      if (!FLOAT.matcher(value).matches()) {
        throw new IllegalArgumentException(where + "value is not a number: " + value);
      }
      if (!series.add(name + labels)) {
        throw new IllegalArgumentException(where + "repeated series " + name + labels);
      }
      current.samples().add(new Sample(name, labels, parseDouble(value)));
    }
    for (Family family : families.values()) {
      if (family.help() == null) {
        throw new IllegalArgumentException("family " + family.name() + " has no HELP");
      }
      if (family.type().equals("histogram")) {
        checkHistogram(family);
      }
    }
    return new PrometheusText(families);
  }

  /** Every family, by name, in order of appearance. */
  public Map<String, Family> families() {
    return families;
  }

  /** Every sample named {@code name}, in order; empty if there is none (or no such family). */
  public List<Sample> samples(String name) {
    List<Sample> found = new ArrayList<>();
    for (Family family : families.values()) {
      for (Sample sample : family.samples()) {
        if (sample.name().equals(name)) {
          found.add(sample);
        }
      }
    }
    return found;
  }

  /**
   * The value of the sample {@code name} whose labels are exactly {@code labelPairs} (name, value,
   * name, value...); fails if there is none.
   */
  public double value(String name, String... labelPairs) {
    Map<String, String> wanted = new TreeMap<>();
    for (int i = 0; i < labelPairs.length; i += 2) {
      wanted.put(labelPairs[i], labelPairs[i + 1]);
    }
    for (Family family : families.values()) {
      for (Sample sample : family.samples()) {
        if (sample.name().equals(name) && sample.labels().equals(wanted)) {
          return sample.value();
        }
      }
    }
    throw new AssertionError("no sample " + name + wanted + " in the exposition");
  }

  private static boolean belongs(Family family, String sampleName) {
    if (family.type().equals("histogram")) {
      return sampleName.equals(family.name() + "_bucket") || sampleName.equals(family.name() + "_sum")
          || sampleName.equals(family.name() + "_count");
    }
    if (family.type().equals("summary")) {
      return sampleName.equals(family.name()) || sampleName.equals(family.name() + "_sum")
          || sampleName.equals(family.name() + "_count");
    }
    return sampleName.equals(family.name());
  }

  private static Map<String, String> labels(String body, String where) {
    Map<String, String> labels = new TreeMap<>();
    int i = 0;
    while (i < body.length()) {
      int equals = body.indexOf('=', i);
      if (equals < 0) {
        throw new IllegalArgumentException(where + "label without '='");
      }
      String name = body.substring(i, equals);
      if (!LABEL_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(where + "invalid label name " + name);
      }
      if (equals + 1 >= body.length() || body.charAt(equals + 1) != '"') {
        throw new IllegalArgumentException(where + "label value not quoted");
      }
      int j = equals + 2;
      StringBuilder raw = new StringBuilder();
      while (j < body.length() && body.charAt(j) != '"') {
        if (body.charAt(j) == '\\' && j + 1 < body.length()) {
          raw.append(body, j, j + 2);
          j += 2;
        } else {
          raw.append(body.charAt(j));
          j++;
        }
      }
      if (j >= body.length()) {
        throw new IllegalArgumentException(where + "unterminated label value");
      }
      if (labels.put(name, unescape(raw.toString(), true, where)) != null) {
        throw new IllegalArgumentException(where + "repeated label " + name);
      }
      i = j + 1;
      if (i < body.length()) {
        if (body.charAt(i) != ',') {
          throw new IllegalArgumentException(where + "labels must be separated by ','");
        }
        i++;
      }
    }
    return labels;
  }

  private static String unescape(String text, boolean quotes, String where) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != '\\') {
        out.append(c);
        continue;
      }
      if (i + 1 >= text.length()) {
        throw new IllegalArgumentException(where + "dangling backslash");
      }
      char next = text.charAt(++i);
      if (next == '\\') {
        out.append('\\');
      } else if (next == 'n') {
        out.append('\n');
      } else if (next == '"' && quotes) {
        out.append('"');
      } else {
        throw new IllegalArgumentException(where + "invalid escape \\" + next);
      }
    }
    return out.toString();
  }

  private static double parseDouble(String value) {
    return switch (value) {
      case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(value);
    };
  }

  private static void checkHistogram(Family family) {
    Map<Map<String, String>, List<Sample>> bucketsBySeries = new LinkedHashMap<>();
    Map<Map<String, String>, Double> counts = new LinkedHashMap<>();
    for (Sample sample : family.samples()) {
      if (sample.name().endsWith("_bucket")) {
        if (!sample.labels().containsKey("le")) {
          throw new IllegalArgumentException(family.name() + ": bucket without le");
        }
        Map<String, String> rest = new TreeMap<>(sample.labels());
        rest.remove("le");
        bucketsBySeries.computeIfAbsent(rest, k -> new ArrayList<>()).add(sample);
      } else if (sample.name().endsWith("_count")) {
        counts.put(sample.labels(), sample.value());
      }
    }
    for (Map.Entry<Map<String, String>, List<Sample>> series : bucketsBySeries.entrySet()) {
      double previousBound = Double.NEGATIVE_INFINITY;
      double previousCount = 0;
      List<Sample> buckets = series.getValue();
      for (Sample bucket : buckets) {
        double bound = parseDouble(bucket.labels().get("le"));
        if (bound <= previousBound || bucket.value() < previousCount) {
          throw new IllegalArgumentException(family.name() + series.getKey()
              + ": buckets must have increasing bounds and cumulative counts");
        }
        previousBound = bound;
        previousCount = bucket.value();
      }
      Sample last = buckets.get(buckets.size() - 1);
      if (!last.labels().get("le").equals("+Inf")) {
        throw new IllegalArgumentException(family.name() + series.getKey() + ": no +Inf bucket");
      }
      Double count = counts.get(series.getKey());
      if (count == null || count != last.value()) {
        throw new IllegalArgumentException(family.name() + series.getKey()
            + ": _count must equal the +Inf bucket");
      }
    }
  }
}
