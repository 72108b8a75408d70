package io.layercake.upstream;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PullBudgetTest {

  private static final Instant T0 = Instant.parse("2026-12-07T06:00:00Z");
  private final PullBudget budget = new PullBudget(0.2, Duration.ofMinutes(1));

  private void report(long limit, long remaining, Instant at) {
    budget.reported(RateLimitStatus.fromHeaders(Optional.of(limit + ";w=3600"), Optional.of(remaining + ";w=3600"),
        Optional.of("203.0.113.9"), at).orElseThrow());
  }

  @Test
  void belowTheReserve_backgroundWorkIsRefused_clientsPullsAreNot() {
    report(100, 20, T0);
    assertFalse(budget.low(T0), "20 of 100 is the reserve itself");
    assertDoesNotThrow(() -> budget.admit(PullKind.PREWARM, T0, false));

    report(100, 19, T0);
    assertTrue(budget.low(T0));
    OciException refused = assertThrows(OciException.class, () -> budget.admit(PullKind.PREWARM, T0, false));
    assertEquals(ErrorCode.TOOMANYREQUESTS, refused.code());
    assertTrue(refused.retryAfter().isPresent());
    assertThrows(OciException.class, () -> budget.admit(PullKind.REFRESH, T0, false));
    assertDoesNotThrow(() -> budget.admit(PullKind.USER, T0, false));
  }

  @Test
  void noneLeft_countingGetsInFlight_isRefusedHere_thenProbedWithAHead() {
    report(100, 1, T0);
    assertEquals(PullBudget.Admission.GO, budget.admit(PullKind.USER, T0, false));
    OciException held = assertThrows(OciException.class, () -> budget.admit(PullKind.USER, T0, false));
    assertEquals(ErrorCode.TOOMANYREQUESTS, held.code());
    assertEquals(PullBudget.State.NONE_LEFT, budget.state(T0));
    budget.settled();
    assertEquals(PullBudget.Admission.GO, budget.admit(PullKind.USER, T0, false), "the GET in flight ended");

    report(100, 0, T0);
    assertThrows(OciException.class, () -> budget.admit(PullKind.USER, T0.plusSeconds(59), false));
    assertEquals(PullBudget.Admission.PROBE_FIRST, budget.admit(PullKind.USER, T0.plusSeconds(60), false),
        "a report a minute old: ask upstream with a free HEAD first");
    assertEquals(PullBudget.Admission.GO, budget.admit(PullKind.USER, T0.plusSeconds(60), true));
  }

  @Test
  void nearTheEnd_inAClusterOfThree_eachNodeProbesFirst_andSendsOneGetAtATime_whileEveryNodeHasOneLeft() {
    PullBudget shared = new PullBudget(0, Duration.ofMinutes(1));
    shared.sharedBy(() -> 3);
    shared.reported(RateLimitStatus.fromHeaders(Optional.of("100;w=3600"), Optional.of("4;w=3600"),
        Optional.empty(), T0).orElseThrow());
    assertEquals(PullBudget.Admission.GO, shared.admit(PullKind.USER, T0, false), "4 left: more than one per node");
    shared.settled();

    shared.reported(RateLimitStatus.fromHeaders(Optional.of("100;w=3600"), Optional.of("3;w=3600"),
        Optional.empty(), T0).orElseThrow());
    assertEquals(PullBudget.Admission.PROBE_FIRST, shared.admit(PullKind.USER, T0, false),
        "3 left for 3 nodes: count afresh with a free HEAD first");
    assertEquals(PullBudget.Admission.GO, shared.admit(PullKind.USER, T0, true));
    OciException second = assertThrows(OciException.class, () -> shared.admit(PullKind.USER, T0, true),
        "one GET at a time per node near the end");
    assertEquals(ErrorCode.TOOMANYREQUESTS, second.code());
    shared.settled();

    shared.reported(RateLimitStatus.fromHeaders(Optional.of("100;w=3600"), Optional.of("2;w=3600"),
        Optional.empty(), T0).orElseThrow());
    assertThrows(OciException.class, () -> shared.admit(PullKind.USER, T0, true),
        "2 left for 3 nodes: the other two may be sending theirs");
    assertEquals(PullBudget.State.NONE_LEFT, shared.state(T0));

    shared.sharedBy(() -> 1);
    assertEquals(PullBudget.Admission.GO, shared.admit(PullKind.USER, T0, false),
        "alone, a node counts its own GETs in flight exactly");
  }

  @Test
  void aReportOlderThanItsWindow_saysNothingAnyMore() {
    report(100, 0, T0);
    assertTrue(budget.low(T0.plusSeconds(3599)));
    assertFalse(budget.low(T0.plusSeconds(3600)), "every pull it counted has left the window");
  }

  @Test
  void afterUpstreams429_everyKindIsRefused_forRetryAfterOrADoublingBackoff() {
    budget.refused(Optional.of(Duration.ofSeconds(30)), T0);
    assertThrows(OciException.class, () -> budget.admit(PullKind.USER, T0.plusSeconds(29), false));
    assertDoesNotThrow(() -> budget.admit(PullKind.USER, T0.plusSeconds(30), false));

    budget.refused(Optional.empty(), T0);
    assertEquals(Optional.of(T0.plus(Duration.ofMinutes(2))), budget.blockedUntil(T0), "the second 429 in a row: 2 min");
    budget.refused(Optional.empty(), T0);
    assertEquals(Optional.of(T0.plus(Duration.ofMinutes(4))), budget.blockedUntil(T0));
    budget.spent(PullKind.USER, T0.plusSeconds(300));
    budget.refused(Optional.empty(), T0.plusSeconds(300));
    assertEquals(Optional.of(T0.plusSeconds(360)), budget.blockedUntil(T0.plusSeconds(300)),
        "a pull that went through starts the backoff over");
  }

  @Test
  void backoff_neverLongerThanTheWindow() {
    report(100, 0, T0);
    for (int i = 0; i < 30; i++) {
      budget.refused(Optional.empty(), T0);
    }
    assertEquals(Optional.of(T0.plusSeconds(3600)), budget.blockedUntil(T0));
  }

  @Test
  void spent_countsByKindOverTheWindow() {
    report(100, 50, T0);
    budget.spent(PullKind.USER, T0);
    budget.spent(PullKind.USER, T0.plusSeconds(61));
    budget.spent(PullKind.PREWARM, T0.plusSeconds(120));

    assertEquals(2L, budget.spent(T0.plusSeconds(200)).get(PullKind.USER));
    assertEquals(1L, budget.spent(T0.plusSeconds(200)).get(PullKind.PREWARM));
    assertEquals(0L, budget.spent(T0.plusSeconds(200)).get(PullKind.REFRESH));
    assertEquals(1L, budget.spent(T0.plusSeconds(3600 + 30)).get(PullKind.USER), "the first left the window");
    assertEquals(0L, budget.spent(T0.plusSeconds(3 * 3600)).get(PullKind.PREWARM));
  }
}
