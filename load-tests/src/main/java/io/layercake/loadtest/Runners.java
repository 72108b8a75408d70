package io.layercake.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Concurrent CI runners: each a thread with its own {@link PullClient}, released together by a
 * barrier so that "at the same instant" means it.
 */
final class Runners {

  private Runners() {}

  /**
   * Runs {@code count} runners, each doing {@code work} with its own client and its index, all
   * starting together; returns what each returned, in index order. Bounded by {@code maxMinutes}.
   */
  static <T> List<T> run(int count, long maxMinutes, RunnerWork<T> work) throws Exception {
    CyclicBarrier start = new CyclicBarrier(count);
    ExecutorService threads = Executors.newFixedThreadPool(count);
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        int index = i;
        futures.add(threads.submit(() -> {
          try (PullClient client = new PullClient()) {
            start.await();
            return work.run(client, index);
          }
        }));
      }
      List<T> results = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(maxMinutes);
      for (Future<T> future : futures) {
        results.add(future.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
      }
      return results;
    } finally {
      threads.shutdownNow();
    }
  }

  /** What one runner does. */
  @FunctionalInterface
  interface RunnerWork<T> {
    T run(PullClient client, int index) throws Exception;
  }

}
