package io.layercake.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunOptionsTest {

  @Test
  void parse_allAndOptions() {
    RunOptions options = RunOptions.parse(new String[] {"all", "--quick", "--runners", "4",
        "--bandwidth", "20", "--latency", "0"});
    assertEquals(RunOptions.SCENARIOS, options.scenarios());
    assertTrue(options.quick());
    assertEquals(4, options.runnersOr(32));
    assertEquals(20_000_000, options.bandwidth());
    assertEquals(Duration.ZERO, options.latency());
    assertEquals(Duration.ofSeconds(3), options.measureFor());
  }

  @Test
  void parse_defaults() {
    RunOptions options = RunOptions.parse(new String[] {"warm", "cold"});
    assertEquals(List.of("warm", "cold"), options.scenarios());
    assertEquals(32, options.runnersOr(32));
    assertEquals(Duration.ofSeconds(10), options.measureFor());
    assertEquals(Duration.ofSeconds(60), options.fleetFor());
  }

  @Test
  void parse_refusesBadInputWithAReason() {
    assertThrows(IllegalArgumentException.class, () -> RunOptions.parse(new String[] {}));
    assertThrows(IllegalArgumentException.class, () -> RunOptions.parse(new String[] {"storm"}));
    assertThrows(IllegalArgumentException.class, () -> RunOptions.parse(new String[] {"cold", "--runners"}));
    assertThrows(IllegalArgumentException.class, () -> RunOptions.parse(new String[] {"cold", "--runners", "0"}));
    assertThrows(IllegalArgumentException.class, () -> RunOptions.parse(new String[] {"cold", "--latency", "x"}));
  }
}
