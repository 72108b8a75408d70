package io.layercake.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.Status;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The node's own {@code logback.xml} (the one the packaged jar runs with), read the way logback
 * reads it at start-up: text lines by default, one JSON object per line with
 * {@code LAYERCAKE_LOG_FORMAT=json}.
 */
class LogFormatTest {

  @Test
  void logFormat_unset_writesTheTextPattern() throws JoranException {
    OutputStreamAppender<ILoggingEvent> appender = rootAppender(null);

    PatternLayoutEncoder encoder = assertInstanceOf(PatternLayoutEncoder.class, appender.getEncoder());
    String line = new String(encoder.encode(event(encoder.getContext())), StandardCharsets.UTF_8);

    assertEquals(" INFO  io.layercake.node.Demo - Serving library/redis on 5000\n", line.substring(23));
  }

  @Test
  void logFormat_json_writesOneJsonObjectPerLine() throws JoranException, IOException {
    OutputStreamAppender<ILoggingEvent> appender = rootAppender("json");

    JsonEncoder encoder = assertInstanceOf(JsonEncoder.class, appender.getEncoder());
    String line = new String(encoder.encode(event(encoder.getContext())), StandardCharsets.UTF_8);

    assertEquals(1, line.split("\n", -1).length - 1, "one line: " + line);
    JsonNode json = new ObjectMapper().readTree(line);
    assertEquals("INFO", json.path("level").asText());
    assertEquals("io.layercake.node.Demo", json.path("loggerName").asText());
    assertEquals("Serving library/redis on 5000", json.path("formattedMessage").asText());
    assertEquals(1_700_000_000_000L, json.path("timestamp").asLong());
    assertNull(json.get("context"), "no per-line context");
  }

  /** The root logger's appender after configuring from logback.xml with the given format. */
  @SuppressWarnings("unchecked")
  private static OutputStreamAppender<ILoggingEvent> rootAppender(String format) throws JoranException {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    if (format != null) {
      context.putProperty("LAYERCAKE_LOG_FORMAT", format);
    }
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(LogFormatTest.class.getResource("/logback.xml"));
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    assertEquals(List.of(), context.getStatusManager().getCopyOfStatusList().stream()
        .filter(status -> status.getLevel() > Status.INFO).map(Status::getMessage).toList(),
        "logback reports no warning (it would print its whole status at every start)");
    return (OutputStreamAppender<ILoggingEvent>) root.getAppender("console");
  }

  private static LoggingEvent event(ch.qos.logback.core.Context context) {
    LoggerContext loggers = (LoggerContext) context;
    LoggingEvent event = new LoggingEvent(Logger.class.getName(), loggers.getLogger("io.layercake.node.Demo"),
        Level.INFO, "Serving {} on {}", null, new Object[] {"library/redis", 5000});
    event.setTimeStamp(1_700_000_000_000L);
    return event;
  }
}
