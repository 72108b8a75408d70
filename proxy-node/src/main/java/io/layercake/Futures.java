package io.layercake;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** What {@link CompletableFuture} lacks for the fan-outs to nodes, blobs and platforms. */
public final class Futures {

  private Futures() {}

  /**
   * The results of every stage, in the order given, once all are done; fails as soon as one does
   * not, with that stage's failure.
   */
  public static <T> CompletableFuture<List<T>> all(List<? extends CompletionStage<T>> stages) {
    List<CompletableFuture<T>> futures = stages.stream().map(CompletionStage::toCompletableFuture).toList();
    return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
        .thenApply(done -> futures.stream().map(CompletableFuture::join).toList());
  }
}
