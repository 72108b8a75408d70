package io.layercake.http;

import com.typesafe.config.Config;

/**
 * Where the registry API listens, read from {@code layercake.http}.
 *
 * @param interfaceAddress the address to bind
 * @param port the TCP port; 0 picks a free one (tests)
 */
public record HttpSettings(String interfaceAddress, int port) {

  /** Reads and validates {@code layercake.http}. */
  public static HttpSettings fromConfig(Config config) {
    String address = config.getString("layercake.http.interface");
    if (address.isBlank()) {
      throw new IllegalArgumentException("layercake.http.interface must not be empty");
    }
    int port = config.getInt("layercake.http.port");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("layercake.http.port must be 0..65535, got " + port);
    }
    return new HttpSettings(address, port);
  }
}
