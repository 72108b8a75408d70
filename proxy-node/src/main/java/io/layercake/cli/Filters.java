package io.layercake.cli;

import java.util.List;
import java.util.Set;

/** {@code --filter key=value} options as the admin API's query parameters. */
final class Filters {

  private Filters() {}

  /**
   * The filters, checked against {@code allowed} keys, as {@code &key=value...}.
   *
   * @throws UsageException naming a filter whose key is not allowed or whose value is empty
   */
  static String asQuery(List<String> filters, Set<String> allowed) {
    StringBuilder query = new StringBuilder();
    for (String filter : filters) {
      int equals = filter.indexOf('=');
      String key = equals > 0 ? filter.substring(0, equals) : "";
      if (!allowed.contains(key) || equals == filter.length() - 1) {
        throw new UsageException("invalid filter '" + filter + "': use "
            + String.join(" or ", allowed.stream().sorted().map(k -> k + "=VALUE").toList()));
      }
      query.append('&').append(key).append('=').append(AdminClient.encode(filter.substring(equals + 1)));
    }
    return query.toString();
  }
}
