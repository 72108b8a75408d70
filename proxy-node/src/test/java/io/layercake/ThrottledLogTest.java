package io.layercake;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
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
    AtomicLong now = new AtomicLong();
    ThrottledLog throttled = new ThrottledLog(Duration.ofSeconds(60), now::get);
    throttled.warn(logger, "full");
    throttled.warn(logger, "full");
    throttled.warn(logger, "full");
    now.addAndGet(Duration.ofSeconds(61).toNanos());
    throttled.warn(logger, "full");
    assertEquals(2, lines.list.size());
    assertEquals("full (2 more like it since the last line)", lines.list.get(1).getFormattedMessage());
  }
}
