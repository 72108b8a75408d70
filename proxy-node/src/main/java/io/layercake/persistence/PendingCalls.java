package io.layercake.persistence;

import akka.dispatch.Futures;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;

/**
 * The blocking RocksDB calls a plugin has handed to its dispatcher and that have not finished.
 *
 * <p>A plugin waits for them when it stops. The node database closes when the actor system
 * terminates, right after its actors stop, and a RocksDB call still running then would use freed
 * native memory and crash the JVM.
 */
final class PendingCalls {

  private static final Logger LOG = LoggerFactory.getLogger(PendingCalls.class);

  private int pending; // guarded by this

  /** Runs {@code call} on {@code executor}, counted until it finishes. */
  <T> Future<T> submit(Callable<T> call, ExecutionContext executor) {
    synchronized (this) {
      pending++;
    }
    try {
      return Futures.future(() -> runCounted(call), executor);
    } catch (RuntimeException e) {
      finished();
      throw e;
    }
  }

  /**
   * Blocks until no call is pending or {@code timeout} has passed, and logs a warning naming
   * {@code owner} in the latter case.
   */
  void awaitNone(Duration timeout, String owner) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (this) {
      while (pending > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          LOG.warn("{} stopped with {} RocksDB calls still running after {}", owner, pending, timeout);
          return;
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }
  }

  private <T> T runCounted(Callable<T> call) throws Exception {
    try {
      return call.call();
    } finally {
      finished();
    }
  }

  private synchronized void finished() {
    pending--;
    if (pending == 0) {
      notifyAll();
    }
  }
}
