package io.layercake.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.layercake.Json;
import io.layercake.admin.AdminAnswers.PullEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PullProgressTest {

  /** An event as the node's NDJSON line has it, read the way the command reads it. */
  private static PullEvent event(String line) throws IOException {
    return Json.MAPPER.readValue(line, PullEvent.class);
  }

  @Test
  void bar_partial_drawsArrowAndSizes() {
    assertEquals("[=========================>                        ] 12.3MB/24.6MB",
        PullProgress.bar(12_300_000, 24_600_000));
  }

  @Test
  void bar_complete_isFull() {
    assertEquals("[==================================================] 45.6MB/45.6MB",
        PullProgress.bar(45_600_000, 45_600_000));
  }

  @Test
  void show_pipe_printsStateChangesOnly() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PullProgress progress = new PullProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);

    progress.show(event("{\"event\":\"start\",\"reference\":\"7\",\"repository\":\"library/redis\"}"));
    progress.show(event("{\"event\":\"waiting\",\"id\":\"abc\",\"kind\":\"layer\"}"));
    progress.show(event("{\"event\":\"waiting\",\"id\":\"cfg\",\"kind\":\"config\"}"));
    progress.show(event("{\"event\":\"progress\",\"id\":\"abc\",\"kind\":\"layer\",\"current\":5,\"total\":10}"));
    progress.show(event("{\"event\":\"complete\",\"id\":\"abc\",\"kind\":\"layer\"}"));

    assertEquals("7: Pulling from library/redis\nabc: Pulling fs layer\nabc: Pull complete\n",
        bytes.toString(StandardCharsets.UTF_8));
  }

  @Test
  void show_terminal_redrawsLayerLineInPlace() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PullProgress progress = new PullProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), true);

    progress.show(event("{\"event\":\"waiting\",\"id\":\"aaa\",\"kind\":\"layer\"}"));
    progress.show(event("{\"event\":\"waiting\",\"id\":\"bbb\",\"kind\":\"layer\"}"));
    progress.show(event("{\"event\":\"complete\",\"id\":\"aaa\",\"kind\":\"layer\"}"));

    assertEquals("aaa: Pulling fs layer\nbbb: Pulling fs layer\n\u001b[2A\r\u001b[2Kaaa: Pull complete\r\u001b[2B",
        bytes.toString(StandardCharsets.UTF_8));
  }
}
