package io.layercake.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The arguments of one admin verb after {@code --url} is taken out: flags, options with a value
 * ({@code --filter x} or {@code --filter=x}, repeatable) and positional arguments. Anything not
 * declared is a usage error naming it.
 */
final class VerbArguments {

  private final List<String> flags = new ArrayList<>();
  private final List<String[]> options = new ArrayList<>();
  private final List<String> positional = new ArrayList<>();

  /**
   * Parses {@code args} of {@code verb}.
   *
   * @param flagNames flags, with their aliases mapped to one name ({@code "-a" -> "--all"})
   * @param optionNames options that take a value, likewise
   */
  VerbArguments(String verb, List<String> args, Map<String, String> flagNames, Map<String, String> optionNames) {
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      int equals = arg.indexOf('=');
      String name = arg.startsWith("--") && equals > 0 ? arg.substring(0, equals) : arg;
      if (flagNames.containsKey(arg)) {
        flags.add(flagNames.get(arg));
      } else if (optionNames.containsKey(name)) {
        String value;
        if (equals > 0 && arg.startsWith("--")) {
          value = arg.substring(equals + 1);
        } else if (i + 1 < args.size()) {
          value = args.get(++i);
        } else {
          throw new UsageException("option '" + arg + "' needs a value. See 'layercake " + verb + " --help'.");
        }
        options.add(new String[] {optionNames.get(name), value});
      } else if (arg.startsWith("-") && arg.length() > 1) {
        throw new UsageException("unknown flag '" + arg + "' for '" + verb + "'. See 'layercake " + verb + " --help'.");
      } else {
        positional.add(arg);
      }
    }
  }

  boolean has(String flag) {
    return flags.contains(flag);
  }

  /** Every value of an option, in order. */
  List<String> values(String option) {
    List<String> values = new ArrayList<>();
    for (String[] pair : options) {
      if (pair[0].equals(option)) {
        values.add(pair[1]);
      }
    }
    return values;
  }

  List<String> positional() {
    return positional;
  }

  /**
   * The {@code --filter key=value} options, checked against {@code allowed} keys, as query
   * parameters {@code &key=value...}.
   */
  String filtersAsQuery(String verb, Set<String> allowed) {
    StringBuilder query = new StringBuilder();
    for (String filter : values("--filter")) {
      int equals = filter.indexOf('=');
      String key = equals > 0 ? filter.substring(0, equals) : "";
      if (!allowed.contains(key) || equals == filter.length() - 1) {
        throw new UsageException("invalid filter '" + filter + "' for '" + verb + "': use "
            + String.join(" or ", allowed.stream().sorted().map(k -> k + "=VALUE").toList()));
      }
      query.append('&').append(key).append('=').append(encode(filter.substring(equals + 1)));
    }
    return query.toString();
  }

  static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** Bad usage of a verb: printed as one line, exit status 2. */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }
}
