package io.layercake.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import io.layercake.storage.StorageException;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.rocksdb.RocksDBException;

/** Failures that are not the client's become 503s to retry; only a bug is a 500. */
class RegistryApiErrorsTest {

  private static final HttpRequest PULL = HttpRequest.GET("/v2/library/alpine/blobs/sha256:" + "ab".repeat(32));

  @Test
  void storageFailure_wrappedByAFuture_is503WithRetryAfter() {
    StorageException failure = new StorageException("write the access times of 3 blobs",
        new RocksDBException("While appending to file: 000004.log: No space left on device"));

    HttpResponse response = RegistryApi.errorResponse(PULL, new CompletionException(failure));

    assertEquals(503, response.status().intValue());
    assertEquals("5", response.getHeader("Retry-After").orElseThrow().value());
  }

  @Test
  void diskReadFailure_is503() {
    HttpResponse response = RegistryApi.errorResponse(PULL, new IOException("Input/output error"));

    assertEquals(503, response.status().intValue());
  }

  @Test
  void bug_is500_unknownWithoutDetail() {
    HttpResponse response = RegistryApi.errorResponse(PULL, new IllegalStateException("secret internals"));

    assertEquals(500, response.status().intValue());
    String body = response.entity().toString();
    assertTrue(!body.contains("secret internals"), body);
  }
}
