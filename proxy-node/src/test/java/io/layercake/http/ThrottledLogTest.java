package io.layercake.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ThrottledLogTest {

  @Test
  void warn_burst_oneLinePerPeriod() {
    Logger logger = (Logger) LoggerFactory.getLogger("throttled-log-test");
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    ThrottledLog throttled = new ThrottledLog(Duration.ofHours(1));
    for (int i = 0; i < 1000; i++) {
      throttled.warn(logger, "disk full");
    }
    assertEquals(1, lines.list.size());
  }

  @Test
  void warn_afterThePeriod_saysHowManyWereLeftOut() {
    Logger logger = (Logger) LoggerFactory.getLogger("throttled-log-test-2");
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    ThrottledLog throttled = new ThrottledLog(Duration.ZERO);
    throttled.warn(logger, "first");
    ThrottledLog slow = new ThrottledLog(Duration.ofHours(1));
    slow.warn(logger, "a");
    slow.warn(logger, "b");
    assertEquals(2, lines.list.size());
    throttled.warn(logger, "second");
    assertTrue(lines.list.get(2).getFormattedMessage().startsWith("second"), lines.list.toString());
  }
}
