package io.layercake.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fault run counts upstream traffic from docker-registry's access log: only blob downloads. */
class HubLogTest {

  private static final String DIGEST = "sha256:" + "ab".repeat(32);

  @TempDir Path dir;

  @Test
  void blobGetsAnsweredWith200_counted_challengesAndOtherRequestsNot() throws Exception {
    Path log = dir.resolve("registry.log");
    Files.write(log, List.of(
        "10.231.0.11 - - [05/Dec/2026:08:01:42 +0000] \"GET /v2/library/alpha/blobs/" + DIGEST
            + " HTTP/1.1\" 401 145 \"\" \"layercake\"",
        "10.231.0.11 - - [05/Dec/2026:08:01:43 +0000] \"GET /v2/library/alpha/blobs/" + DIGEST
            + " HTTP/1.1\" 200 5243355 \"\" \"layercake\"",
        "10.231.0.12 - - [05/Dec/2026:08:01:44 +0000] \"HEAD /v2/library/alpha/blobs/" + DIGEST
            + " HTTP/1.1\" 200 0 \"\" \"layercake\"",
        "10.231.0.12 - - [05/Dec/2026:08:01:45 +0000] \"GET /v2/library/alpha/manifests/1 HTTP/1.1\" 200 528 \"\" \"x\"",
        "time=\"2026-12-05T08:01:45Z\" level=info msg=\"response completed\""));
    List<HubLog.BlobGet> gets = HubLog.blobGets(log);
    assertEquals(1, gets.size(), gets.toString());
    assertEquals(DIGEST, gets.get(0).digest());
    assertEquals(5243355, gets.get(0).bytes());
    assertEquals(Instant.parse("2026-12-05T08:01:43Z").toEpochMilli(), gets.get(0).at());
    assertTrue(HubLog.blobGets(dir.resolve("missing.log")).isEmpty());
  }

  @Test
  void netnsClusterEnv_parsed() {
    var env = NetnsCluster.parseEnv("NETNS_CLUSTER_NODES='http://10.231.0.11:5000 http://10.231.0.12:5000'\n"
        + "LAYERCAKE_ADMIN_TOKEN='abc'\nnoise\n");
    assertEquals("http://10.231.0.11:5000 http://10.231.0.12:5000", env.get("NETNS_CLUSTER_NODES"));
    assertEquals("abc", env.get("LAYERCAKE_ADMIN_TOKEN"));
  }
}
