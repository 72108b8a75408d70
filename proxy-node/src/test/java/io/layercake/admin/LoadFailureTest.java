package io.layercake.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.pattern.AskTimeoutException;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import io.layercake.storage.StorageException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** A failed load answers 4xx for the archive's faults and 503 for the node's, never 500. */
class LoadFailureTest {

  @Test
  void answer_archiveRefusal_passedOnUnchanged() {
    OciException refusal = new OciException(ErrorCode.BLOB_UPLOAD_INVALID, "invalid image archive", "detail");

    assertSame(refusal, LoadFailure.answer(refusal));
  }

  @Test
  void answer_outOfMemoryError_503WithRetryAfter() {
    OciException answer = LoadFailure.answer(new OutOfMemoryError("Java heap space"));

    assertEquals(503, answer.code().status());
    assertTrue(answer.retryAfter().isPresent());
    assertTrue(answer.detail().orElse("").contains("memory"), answer.getMessage());
  }

  @Test
  void answer_stackOverflowError_503() {
    assertEquals(ErrorCode.UNAVAILABLE, LoadFailure.answer(new StackOverflowError()).code());
  }

  @Test
  void answer_diskFailure_503() {
    assertEquals(ErrorCode.UNAVAILABLE, LoadFailure.answer(new IOException("No space left on device")).code());
    assertEquals(ErrorCode.UNAVAILABLE,
        LoadFailure.answer(new StorageException("store", new IOException("No space left on device"))).code());
  }

  @Test
  void answer_bug_503() {
    assertEquals(ErrorCode.UNAVAILABLE, LoadFailure.answer(new IllegalStateException("a bug")).code());
  }

  @Test
  void answer_askTimeout_503() {
    assertEquals(ErrorCode.UNAVAILABLE, LoadFailure.answer(new AskTimeoutException("tag entity")).code());
  }
}
