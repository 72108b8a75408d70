package io.layercake.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class WrkTest {

  private static final String OUTPUT = """
      Running 10s test @ http://127.0.0.1:5000/v2/library/warm/blobs/sha256:00
        2 threads and 16 connections
        Thread Stats   Avg      Stdev     Max   +/- Stdev
          Latency     1.36s   204.12ms   1.92s    71.43%
          Req/Req     0.00      0.00     0.00    100.00%
        126 requests in 10.02s, 11.74GB read
        Socket errors: connect 0, read 2, write 0, timeout 1
        Non-2xx or 3xx responses: 4
      Requests/sec:     12.58
      Transfer/sec:      1.17GB
      """;

  @Test
  void parse_readsRatesAndCountsEveryError() throws IOException {
    Wrk.Result result = Wrk.parse(OUTPUT);
    assertEquals(12.58, result.requestsPerSecond(), 1e-9);
    assertEquals(1.17 * 1024 * 1024 * 1024, result.bytesPerSecond(), 1);
    assertEquals(126, result.requests());
    assertEquals(7, result.errors());
  }

  @Test
  void parse_kilobytesAndNoErrorLines() throws IOException {
    Wrk.Result result = Wrk.parse("  9000 requests in 1.00s, 1.00MB read\nRequests/sec:   9000.00\nTransfer/sec:    512.50KB\n");
    assertEquals(512.5 * 1024, result.bytesPerSecond(), 1e-6);
    assertEquals(0, result.errors());
  }

  @Test
  void parse_ofSomethingElse_fails() {
    assertThrows(IOException.class, () -> Wrk.parse("unable to connect to 127.0.0.1:5000 Connection refused"));
  }
}
