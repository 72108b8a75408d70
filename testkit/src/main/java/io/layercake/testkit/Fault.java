package io.layercake.testkit;

import java.time.Duration;
import java.util.Objects;

/**
 * A misbehaviour that {@link FakeRegistry} applies to matching requests, injected with {@link
 * FakeRegistry#inject(Fault, String, int)}.
 *
 * <p>Two families exist, and they are consumed at different moments so that a test can predict
 * which request a fault hits:
 *
 * <ul>
 *   <li>Response faults ({@link Kind#STATUS}, {@link Kind#TOO_MANY_REQUESTS}, {@link
 *       Kind#LATENCY}) are taken by the first matching request that passed authentication, before
 *       the fake looks at its content.
 *   <li>Body faults ({@link Kind#RESET_MID_BODY}, {@link Kind#WRONG_BYTES}, {@link Kind#STALL},
 *       {@link Kind#THROTTLE}) are taken only by a response that is about to send a body (a 200 or
 *       206 on a GET): a 401, a 404 or a 307 to the CDN leaves them armed for the request that
 *       really carries the bytes.
 * </ul>
 *
 * <p>A request takes every matching latency and throttle, but only one fault that decides its
 * outcome (the first armed); the rest wait for the next matching requests, so a 503 and a 429
 * injected together hit two consecutive requests.
 *
 * @param kind what goes wrong
 * @param status the status of {@link Kind#STATUS}; 429 for {@link Kind#TOO_MANY_REQUESTS}; else 0
 * @param afterBytes body bytes sent before a reset or a stall
 * @param duration the stall, the latency, or the Retry-After of a 429
 * @param bytesPerSecond the body rate cap of {@link Kind#THROTTLE}
 */
public record Fault(Kind kind, int status, long afterBytes, Duration duration, long bytesPerSecond) {

  /** What goes wrong. */
  public enum Kind {
    /** Announce the full Content-Length, send {@code afterBytes}, then close the connection. */
    RESET_MID_BODY,
    /** Send the full length, with one byte in the middle of the body flipped. */
    WRONG_BYTES,
    /** Answer {@code status} with an empty, non-OCI body (a front proxy failing). */
    STATUS,
    /** Answer 429 with Retry-After, Docker Hub's ratelimit headers and TOOMANYREQUESTS JSON. */
    TOO_MANY_REQUESTS,
    /** Send headers and {@code afterBytes}, send nothing for {@code duration}, then the rest. */
    STALL,
    /** Wait {@code duration} before answering at all. */
    LATENCY,
    /** Cap the body at {@code bytesPerSecond}. */
    THROTTLE
  }

  /** Validates the parameters of the kind. */
  public Fault {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(duration, "duration");
    if (afterBytes < 0 || duration.isNegative()) {
      throw new IllegalArgumentException("afterBytes and duration must not be negative");
    }
    if (kind == Kind.THROTTLE && bytesPerSecond <= 0) {
      throw new IllegalArgumentException("THROTTLE needs bytesPerSecond > 0, got " + bytesPerSecond);
    }
    if (kind == Kind.STATUS && (status < 100 || status > 599)) {
      throw new IllegalArgumentException("STATUS needs an HTTP status, got " + status);
    }
  }

  /** Sends {@code afterBytes} of the body, then closes the connection with the body incomplete. */
  public static Fault resetMidBody(long afterBytes) {
    return new Fault(Kind.RESET_MID_BODY, 0, afterBytes, Duration.ZERO, 0);
  }

  /** Sends a body of the right length whose middle byte is flipped. */
  public static Fault wrongBytes() {
    return new Fault(Kind.WRONG_BYTES, 0, 0, Duration.ZERO, 0);
  }

  /** Answers {@code status} (say 500 or 503) with an empty body. */
  public static Fault status(int status) {
    return new Fault(Kind.STATUS, status, 0, Duration.ZERO, 0);
  }

  /** Answers 429 with {@code Retry-After} of {@code retryAfter} in whole seconds. */
  public static Fault tooManyRequests(Duration retryAfter) {
    return new Fault(Kind.TOO_MANY_REQUESTS, 429, 0, retryAfter, 0);
  }

  /** Sends {@code afterBytes} of the body, then nothing for {@code pause}, keeping the connection. */
  public static Fault stall(long afterBytes, Duration pause) {
    return new Fault(Kind.STALL, 0, afterBytes, pause, 0);
  }

  /** Waits {@code delay} before answering. */
  public static Fault latency(Duration delay) {
    return new Fault(Kind.LATENCY, 0, 0, delay, 0);
  }

  /** Sends the body at no more than {@code bytesPerSecond}. */
  public static Fault throttle(long bytesPerSecond) {
    return new Fault(Kind.THROTTLE, 0, 0, Duration.ZERO, bytesPerSecond);
  }

  /** Whether the fault acts on a body rather than on the whole response. */
  public boolean isBodyFault() {
    return kind == Kind.RESET_MID_BODY
        || kind == Kind.WRONG_BYTES
        || kind == Kind.STALL
        || kind == Kind.THROTTLE;
  }
}
