package io.layercake.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Issue 10, finding 7: where an upstream's redirects and token realms may send the mirror. */
class DestinationsTest {

  private static Destinations forUpstream(String url, String realms) {
    return new Destinations(UpstreamSettings.fromConfig(ConfigFactory.parseString(
            "layercake.upstreams.docker-hub.url = \"" + url + "\"\n"
                + "layercake.upstreams.docker-hub.auth-realms = " + realms + "\n")
        .withFallback(ConfigFactory.defaultReference()).resolve(), "docker-hub"));
  }

  private static final Destinations DOCKER_HUB =
      forUpstream("https://registry-1.docker.io", "[\"https://auth.docker.io/token\"]");

  @Test
  void refusal_httpsCdn_followed() {
    assertEquals(Optional.empty(), DOCKER_HUB.refusal(URI.create("https://production.cloudflare.docker.com/x")));
  }

  @Test
  void refusal_configuredHosts_followedWhateverTheScheme() {
    assertEquals(Optional.empty(), DOCKER_HUB.refusal(URI.create("https://auth.docker.io/token")));
    assertEquals(Optional.empty(), DOCKER_HUB.refusal(URI.create("http://registry-1.docker.io/v2/")));
  }

  @Test
  void refusal_downgradeToHttp_refused() {
    assertTrue(DOCKER_HUB.refusal(URI.create("http://cdn.example/blob")).isPresent());
  }

  @Test
  void refusal_localAddresses_refusedForARemoteUpstream() {
    for (String url : new String[] {"https://169.254.169.254/latest/meta-data", "https://127.0.0.1:5000/admin",
        "https://[::1]/x", "https://localhost/x", "https://0.0.0.0/x", "https://[fe80::1]/x", "https://224.0.0.1/x"}) {
      assertTrue(DOCKER_HUB.refusal(URI.create(url)).isPresent(), url);
    }
  }

  @Test
  void refusal_privateNetworkAddress_followed() {
    assertEquals(Optional.empty(), DOCKER_HUB.refusal(URI.create("https://10.1.2.3/blob")));
  }

  @Test
  void refusal_upstreamOnLoopback_mayUseLoopbackOverHttps() {
    Destinations local = forUpstream("http://127.0.0.1:5999", "[]");
    assertEquals(Optional.empty(), local.refusal(URI.create("https://localhost:6000/cdn")));
    assertEquals(Optional.empty(), local.refusal(URI.create("http://127.0.0.1:6000/cdn")), "its own host");
    assertTrue(local.refusal(URI.create("http://localhost:6000/cdn")).isPresent(), "another host over http");
  }
}
