package io.layercake.upstream;

import io.layercake.CborSerializable;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/*
 * Implementation notes
 *
 * What counts: Docker Hub counts a manifest GET as a pull and a HEAD as none, and reports what
 * is left on both (RateLimitStatus). So the budget is upstream's own count, as last reported,
 * and the mirror only decides what to spend it on:
 *   - below the reserve (reserve x limit), background work stops (prewarms, refreshes), and
 *     cached tags are not revalidated (TagEntity serves them as cached, with a Warning once past
 *     their TTL); clients' pulls of what the cache lacks still go up;
 *   - when upstream reports no pull left (less the GETs in flight), every GET is refused here
 *     with 429 for budget-backoff; after it, a GET first asks upstream with a HEAD, which is
 *     free and reports anew, so that the mirror is never the one to make upstream answer 429.
 *     Revalidations (HEADs too) keep the report fresh meanwhile;
 *   - after upstream answers 429 all the same (another client on the same address or account),
 *     every GET that would count is refused here with 429 and Retry-After, without asking
 *     upstream, for upstream's Retry-After or else a backoff that doubles per further 429 up to
 *     the window. One GET then goes up again: its answer says whether the limit has room.
 * A report older than its window says nothing any more: the window has slid past every pull it
 * counted.
 *
 * Spent pulls are counted by kind in one-minute buckets over the window, for the operator's view.
 *
 * One budget for the cluster: what upstream reports to any node, and any node's backing off,
 * is handed to onChange (the node shares it through Distributed Data) and merged into the other
 * nodes' budgets (merge): the newest report wins, and the latest end of a backoff. A report that
 * changes only its time is handed on at most every SHARE_INTERVAL, so an upstream without a
 * limit, which answers every pull with "no limit", does not flood the cluster.
 *
 * The end of the limit in a cluster: a report that reaches another node through Distributed
 * Data is seconds old, and nodes' GETs in flight are not counted by each other, so two nodes that
 * both read "2 left" could send three GETs. Within the reserve plus one pull per node of the end
 * (nearlySpent), a node therefore first asks upstream with a HEAD (free, and a fresh count of
 * everything upstream has counted), and sends its GET only if none of its own is in flight and
 * what is left is at least the number of nodes (fewer is none left, noneLeft). A GET sent so had at least one pull left for
 * it: when its HEAD was answered at least N were left, and since then at most N - 1 GETs of the
 * other nodes can have been counted, one each.
 */

/** What an upstream's pull limit allows now, and what this node spent of it, by kind. */
public final class PullBudget {

  /** The window assumed when upstream has not said (Docker Hub's). */
  static final Duration DEFAULT_WINDOW = Duration.ofHours(6);
  private static final long BUCKET_MILLIS = 60_000;
  private static final Duration SHARE_INTERVAL = Duration.ofSeconds(10);

  private final double reserve;
  private final Duration firstBackoff;
  private RateLimitStatus reported = RateLimitStatus.UNKNOWN;
  private Instant blockedUntil = Instant.MIN;
  private int refusals;
  /** GETs admitted and not yet answered: what upstream's last report does not count yet. */
  private int inFlight;
  /** Pulls per minute bucket and kind, indexed by bucket number modulo the ring's length. */
  private final long[][] spent;
  private final long[] bucketOf;
  private Consumer<Shared> onChange = shared -> { };
  /** How many nodes spend this budget: the cluster's members that are up. */
  private IntSupplier sharers = () -> 1;
  private Shared lastShared;

  /**
   * What the cluster shares of a budget: upstream's last report and the end of a backoff.
   *
   * @param limit pulls per window, if reported
   * @param remaining pulls left, if reported
   * @param windowSeconds the window, if reported
   * @param source what upstream counts against, if it said
   * @param observedAt when the report arrived (epoch ms), if there is one
   * @param blockedUntil when backing off after upstream's 429 ends (epoch ms); 0 if never
   */
  public record Shared(Long limit, Long remaining, Long windowSeconds, String source, Long observedAt,
      long blockedUntil) implements CborSerializable {}

  /**
   * A budget keeping {@code reserve} (0 to 1) of the limit for clients, backing off for at least
   * {@code firstBackoff} after a 429 that names no Retry-After.
   */
  PullBudget(double reserve, Duration firstBackoff) {
    if (reserve < 0 || reserve > 1) {
      throw new IllegalArgumentException("reserve must be from 0 to 1, got " + reserve);
    }
    this.reserve = reserve;
    this.firstBackoff = firstBackoff;
    int buckets = (int) (Duration.ofHours(24).toMillis() / BUCKET_MILLIS);
    this.spent = new long[buckets][PullKind.values().length];
    this.bucketOf = new long[buckets];
  }

  /** Counts the nodes that spend this budget with {@code nodes} from now on (1 until told). */
  public synchronized void sharedBy(IntSupplier nodes) {
    sharers = nodes;
  }

  /** Hands every change of what the cluster shares to {@code listener}, from now on. */
  public synchronized void onChange(Consumer<Shared> listener) {
    onChange = listener;
  }

  /** Upstream's latest report, from any answer that carried one. */
  void reported(RateLimitStatus status) {
    synchronized (this) {
      reported = status;
    }
    share();
  }

  /** Another node's report and backoff: the newer report wins, and the later end of a backoff. */
  public synchronized void merge(Shared other) {
    if (other.observedAt() != null && (reported.observedAt().isEmpty()
        || reported.observedAt().get().toEpochMilli() < other.observedAt())) {
      reported = new RateLimitStatus(
          other.limit() == null ? OptionalLong.empty() : OptionalLong.of(other.limit()),
          other.remaining() == null ? OptionalLong.empty() : OptionalLong.of(other.remaining()),
          Optional.ofNullable(other.windowSeconds()).map(Duration::ofSeconds), Optional.ofNullable(other.source()),
          Optional.of(Instant.ofEpochMilli(other.observedAt())));
    }
    Instant until = Instant.ofEpochMilli(other.blockedUntil());
    if (until.isAfter(blockedUntil)) {
      blockedUntil = until;
    }
  }

  /** Hands what the cluster shares on, unless only its time moved, and that recently. */
  private void share() {
    Shared shared;
    Consumer<Shared> listener;
    synchronized (this) {
      shared = new Shared(
          reported.limit().isPresent() ? reported.limit().getAsLong() : null,
          reported.remaining().isPresent() ? reported.remaining().getAsLong() : null,
          reported.window().map(Duration::toSeconds).orElse(null), reported.source().orElse(null),
          reported.observedAt().map(Instant::toEpochMilli).orElse(null),
          blockedUntil.equals(Instant.MIN) ? 0 : blockedUntil.toEpochMilli());
      boolean sameButTime = lastShared != null && Objects.equals(lastShared.limit(), shared.limit())
          && Objects.equals(lastShared.remaining(), shared.remaining()) && lastShared.blockedUntil() == shared.blockedUntil()
          && lastShared.observedAt() != null && shared.observedAt() != null
          && shared.observedAt() - lastShared.observedAt() < SHARE_INTERVAL.toMillis();
      if (sameButTime) {
        return;
      }
      lastShared = shared;
      listener = onChange;
    }
    listener.accept(shared);
  }

  /** The latest report. */
  synchronized RateLimitStatus report() {
    return reported;
  }

  /** Where the budget stands, from the most room to the least. */
  public enum State {
    /** Pulls are left above the reserve (or upstream reports no limit, or nothing recent). */
    OK,
    /** Below the reserve: only clients' pulls of what the cache lacks spend pulls. */
    LOW,
    /** Upstream reported none left: the mirror answers 429 itself until it reports some. */
    NONE_LEFT,
    /** Upstream answered 429 all the same: the mirror answers 429 itself while it backs off. */
    BACKING_OFF
  }

  /** Where the budget stands now. */
  public synchronized State state(Instant now) {
    if (now.isBefore(blockedUntil)) {
      return State.BACKING_OFF;
    }
    if (noneLeft(now)) {
      return State.NONE_LEFT;
    }
    return low(now) ? State.LOW : State.OK;
  }

  /** What a GET the budget lets through must do first. */
  enum Admission {
    /** Go ahead. */
    GO,
    /**
     * Ask upstream with a HEAD first, which is free: the last report said nothing was left, and
     * is old enough that the window may have slid.
     */
    PROBE_FIRST
  }

  /**
   * Admits a GET of {@code kind}, or refuses it with 429 and Retry-After: while backing off after
   * upstream's 429; for background work below the reserve; and while upstream's last report says
   * no pull is left (GETs in flight counted), for {@code budget-backoff} after that report. A
   * GET admitted with {@link Admission#GO} must be {@link #settled} when it ends.
   *
   * @param probed whether a HEAD has just been sent for this GET: it is not asked for again
   */
  synchronized Admission admit(PullKind kind, Instant now, boolean probed) {
    if (now.isBefore(blockedUntil)) {
      throw new OciException(ErrorCode.TOOMANYREQUESTS, ErrorCode.TOOMANYREQUESTS.message(),
          "upstream's pull limit is reached; the mirror asks it again in "
              + Duration.between(now, blockedUntil).toSeconds() + " s",
          Duration.between(now, blockedUntil));
    }
    if (kind != PullKind.USER && low(now)) {
      throw new OciException(ErrorCode.TOOMANYREQUESTS, ErrorCode.TOOMANYREQUESTS.message(),
          "upstream's pull limit is below the reserve kept for clients' pulls ("
              + reported.remaining().getAsLong() + " of " + reported.limit().getAsLong() + " left): "
              + kind.name().toLowerCase(java.util.Locale.ROOT) + " paused",
          window().dividedBy(Math.max(1, reported.limit().getAsLong())));
    }
    if (noneLeft(now)) {
      Duration age = Duration.between(reported.observedAt().get(), now);
      if (age.compareTo(firstBackoff) < 0) {
        throw new OciException(ErrorCode.TOOMANYREQUESTS, ErrorCode.TOOMANYREQUESTS.message(),
            "upstream reported no pull left in its window; the mirror asks it again in "
                + firstBackoff.minus(age).toSeconds() + " s",
            firstBackoff.minus(age));
      }
      if (!probed) {
        return Admission.PROBE_FIRST;
      }
    }
    int nodes = Math.max(1, sharers.getAsInt());
    if (nodes > 1 && nearlySpent(now)) {
      // Other nodes spend the same pulls, and what they spent reaches this node seconds later:
      // near the end each GET asks upstream first with a free HEAD, and goes only if what is left
      // covers one GET from every node and none of this node's is in flight. Every node's GET
      // then had at least one pull left for it when it was sent (see the notes at the top).
      if (!probed) {
        return Admission.PROBE_FIRST;
      }
      if (inFlight > 0) {
        throw new OciException(ErrorCode.TOOMANYREQUESTS, ErrorCode.TOOMANYREQUESTS.message(),
            "upstream's pull limit is nearly spent (" + reported.remaining().getAsLong() + " left for " + nodes
                + " nodes): each node sends one GET at a time",
            Duration.ofSeconds(1));
      }
    }
    inFlight++;
    return Admission.GO;
  }

  /**
   * Whether upstream's last report, recent enough to count, is within the reserve plus one pull
   * per node of running out, GETs in flight counted.
   */
  private boolean nearlySpent(Instant now) {
    return recent(now) && reported.remaining().getAsLong() - inFlight
        <= Math.ceil(reserve * reported.limit().getAsLong()) + Math.max(1, sharers.getAsInt());
  }

  /** An admitted GET ended, whatever its answer. */
  synchronized void settled() {
    inFlight = Math.max(0, inFlight - 1);
  }

  /**
   * Whether upstream's last report, recent enough to count, leaves no pull for another GET once
   * those in flight have spent theirs; in a cluster, whether it leaves fewer than one per node.
   */
  synchronized boolean noneLeft(Instant now) {
    if (!recent(now)) {
      return false;
    }
    long left = reported.remaining().getAsLong();
    // In a cluster, fewer left than nodes is none: the other nodes may be sending theirs.
    return left - inFlight <= 0 || left < Math.max(1, sharers.getAsInt());
  }

  /** A GET of {@code kind} that upstream answered: it counted. */
  synchronized void spent(PullKind kind, Instant now) {
    refusals = 0;
    long bucket = now.toEpochMilli() / BUCKET_MILLIS;
    int slot = (int) (bucket % spent.length);
    if (bucketOf[slot] != bucket) {
      bucketOf[slot] = bucket;
      java.util.Arrays.fill(spent[slot], 0);
    }
    spent[slot][kind.ordinal()]++;
  }

  /** Upstream answered 429: back off for {@code retryAfter}, or else the doubling backoff. */
  void refused(Optional<Duration> retryAfter, Instant now) {
    synchronized (this) {
      Duration backoff = firstBackoff.multipliedBy(1L << Math.min(refusals, 20));
      if (backoff.compareTo(window()) > 0) {
        backoff = window();
      }
      refusals++;
      blockedUntil = now.plus(retryAfter.filter(after -> !after.isZero() && !after.isNegative()).orElse(backoff));
    }
    share();
  }

  /** Whether what upstream last reported is below the reserve, and recent enough to count. */
  synchronized boolean low(Instant now) {
    if (reserve == 0 || !recent(now)) {
      return false;
    }
    return reported.remaining().getAsLong() < Math.ceil(reserve * reported.limit().getAsLong());
  }

  /** Whether there is a report of a limit that the window has not yet slid past. */
  private boolean recent(Instant now) {
    return reported.limit().isPresent() && reported.remaining().isPresent() && reported.observedAt().isPresent()
        && now.isBefore(reported.observedAt().get().plus(window()));
  }

  /** Until when GETs are refused here after upstream's 429, if they are now. */
  synchronized Optional<Instant> blockedUntil(Instant now) {
    return now.isBefore(blockedUntil) ? Optional.of(blockedUntil) : Optional.empty();
  }

  /** This node's counted GETs over the last window, by kind. */
  synchronized Map<PullKind, Long> spent(Instant now) {
    long current = now.toEpochMilli() / BUCKET_MILLIS;
    long first = current - Math.min(window().toMillis() / BUCKET_MILLIS, spent.length - 1);
    Map<PullKind, Long> totals = new EnumMap<>(PullKind.class);
    for (PullKind kind : PullKind.values()) {
      totals.put(kind, 0L);
    }
    for (int slot = 0; slot < spent.length; slot++) {
      if (bucketOf[slot] > first && bucketOf[slot] <= current) {
        for (PullKind kind : PullKind.values()) {
          totals.merge(kind, spent[slot][kind.ordinal()], Long::sum);
        }
      }
    }
    return totals;
  }

  private Duration window() {
    return reported.window().orElse(DEFAULT_WINDOW);
  }
}
