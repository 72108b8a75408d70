package io.layercake.loadtest;

import java.time.Duration;

/**
 * One image pull as a client saw it.
 *
 * @param image the reference pulled
 * @param mirror the base URL it was pulled through
 * @param elapsed from the first request to the last byte of the last blob
 * @param manifestElapsed from the first request until the image manifest was in hand
 * @param bytes manifest and blob bytes received and verified
 * @param blobRequests blob GETs sent
 * @param error why it failed, or null when every digest matched
 * @param wrongBytes whether it failed because a complete body had another digest than promised
 */
public record PullResult(String image, String mirror, Duration elapsed, Duration manifestElapsed, long bytes,
    int blobRequests, String error, boolean wrongBytes) {

  /** Whether every manifest and blob arrived whole and matched its digest. */
  public boolean ok() {
    return error == null;
  }

  /** Elapsed time in milliseconds, as a double for percentiles and charts. */
  public double millis() {
    return elapsed.toNanos() / 1e6;
  }
}
