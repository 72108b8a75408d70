package io.layercake.upstream;

import io.layercake.Failures;
import io.layercake.UpstreamName;
import io.layercake.metrics.NodeMetrics;
import io.layercake.metrics.UpstreamCall;
import io.layercake.oci.OciException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** Reports an upstream call's latency, and its error code if it fails, to the node's metrics. */
final class UpstreamTiming {

  private UpstreamTiming() {}

  /** Starts {@code call} and observes it from now until it completes. */
  static <T> CompletionStage<T> timed(NodeMetrics metrics, UpstreamName upstream, UpstreamCall kind,
      Supplier<CompletionStage<T>> call) {
    long start = System.nanoTime();
    return call.get().whenComplete((value, error) -> {
      metrics.upstreamCallTook(upstream, kind, System.nanoTime() - start);
      if (error != null) {
        // Calls fail with OciException by contract; anything else is a bug, still worth a count.
        Throwable cause = Failures.unwrap(error);
        metrics.upstreamCallFailed(upstream, kind,
            cause instanceof OciException oci ? oci.code().name() : "UNKNOWN");
      }
    });
  }
}
