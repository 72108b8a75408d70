package io.layercake.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A verb's arguments: options that take a value ({@code -o FILE}, {@code --output=FILE}) and
 * positional arguments. Anything else that starts with {@code -} is refused, so a typo never
 * becomes an image name.
 */
final class CommandLine {

  private final Map<String, String> options;
  private final List<String> positional;

  private CommandLine(Map<String, String> options, List<String> positional) {
    this.options = options;
    this.positional = positional;
  }

  /**
   * Parses {@code args}.
   *
   * @param aliases each accepted option spelling mapped to its canonical long name
   *     ({@code "-o" -> "--output"}); every option takes a value
   * @throws AdminClient.CliException naming an unknown option or a missing value
   */
  static CommandLine parse(String verb, List<String> args, Map<String, String> aliases) {
    Map<String, String> options = new HashMap<>();
    List<String> positional = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("-") || arg.equals("-")) {
        positional.add(arg);
        continue;
      }
      int equals = arg.indexOf('=');
      String name = equals > 0 ? arg.substring(0, equals) : arg;
      String canonical = aliases.get(name);
      if (canonical == null) {
        throw new AdminClient.CliException("unknown option '" + name + "' for '" + verb
            + "'. See 'layercake --help'.");
      }
      String value;
      if (equals > 0) {
        value = arg.substring(equals + 1);
      } else if (i + 1 < args.size()) {
        value = args.get(++i);
      } else {
        throw new AdminClient.CliException("option '" + name + "' needs a value");
      }
      options.put(canonical, value);
    }
    return new CommandLine(options, List.copyOf(positional));
  }

  /** The value of an option, by its canonical name. */
  Optional<String> option(String canonical) {
    return Optional.ofNullable(options.get(canonical));
  }

  /** The positional arguments, in order. */
  List<String> positional() {
    return positional;
  }

  /** Fails unless the number of positional arguments is within bounds. */
  CommandLine expectPositional(String verb, String usage, int min, int max) {
    if (positional.size() < min || positional.size() > max) {
      throw new AdminClient.CliException("'" + verb + "' needs " + usage + ". See 'layercake --help'.");
    }
    return this;
  }

  /** The aliases every admin verb accepts: {@code --url}. */
  static Map<String, String> withUrl(Map<String, String> aliases) {
    Map<String, String> all = new HashMap<>(aliases);
    all.put("--url", "--url");
    return all;
  }
}
