package dev.traininghealth.daemon.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.rules.event.ActionResult;
import dev.traininghealth.rules.event.EventCodec;
import dev.traininghealth.rules.event.Header;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report over logs recorded from zoo runs with the agent (src/test/resources/report: the
 * nan-batch and loss-spike jobs, seed 1, written by a file sink in place of Kafka).
 */
class ReportMainTest {
  private static final Path NAN_BATCH = Path.of("src/test/resources/report/nan-batch-seed1.jsonl");
  private static final Path LOSS_SPIKE =
      Path.of("src/test/resources/report/loss-spike-seed1.jsonl");

  private static String report(Path log, Path html) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int rc = ReportMain.run(new String[] {log.toString(), "-o", html.toString()},
        new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
    assertEquals(0, rc, out.toString(StandardCharsets.UTF_8));
    return Files.readString(html);
  }

  @Test
  void nanBatchRunShowsTheNonFiniteAlertItsActionAndTheProvenance(@TempDir Path dir)
      throws Exception {
    String html = report(NAN_BATCH, dir.resolve("r.html"));
    assertTrue(html.contains("Job nan-batch-seed1"), "job heading missing");
    assertTrue(html.contains("nonfinite: inactive → firing (loss is NaN at iteration 7)"),
        "alert from the default rules missing");
    assertTrue(html.contains("rule nonfinite asks for rollback"), "requested action missing");
    assertTrue(html.contains("non-finite gradient in layer 0/W"), "provenance missing");
    assertTrue(html.contains("job finished: completed"));
    assertEquals(4, count(html, "<svg class=\"chart\""), "four charts expected");
    assertTrue(html.contains("class=\"nonfinite\""), "the NaN loss is not marked on the chart");
  }

  @Test
  void reportIsSelfContained(@TempDir Path dir) throws Exception {
    String html = report(LOSS_SPIKE, dir.resolve("r.html"));
    assertTrue(html.contains("<polyline"), "no line drawn");
    assertTrue(html.contains("oscillation: pending → firing"), html.length() + " chars");
    for (String outside : new String[] {"<script", "src=", "href=", "http://", "https://",
        "<link"}) {
      assertFalse(html.contains(outside), "the report refers outside itself: " + outside);
    }
  }

  @Test
  void actionResultsAreOnTheTimelineAndMalformedLinesAreCountedNotFatal(@TempDir Path dir)
      throws Exception {
    Path log = dir.resolve("events.jsonl");
    Files.copy(NAN_BATCH, log);
    String result = new String(new EventCodec().encode(ActionResult.of(
        Header.of("nan-batch-seed1", "run-x", 99, 1_795_464_034_000L, 8, 0, null), "cmd-1",
        "rollback", ActionResult.Outcome.APPLIED, "")), StandardCharsets.UTF_8);
    Files.writeString(log, "{not json\n" + result + "\n", StandardOpenOption.APPEND);
    String html = report(log, dir.resolve("r.html"));
    assertTrue(html.contains("1 malformed line(s) skipped"));
    assertTrue(html.contains("rollback cmd-1: applied"), "action result missing");
    assertTrue(html.contains("new run run-x"), "a second run must be marked");
  }

  @Test
  void usageErrorsExitWithTwo() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream p = new PrintStream(err, true, StandardCharsets.UTF_8);
    assertEquals(2, ReportMain.run(new String[] {}, System.out, p));
    assertEquals(2, ReportMain.run(new String[] {"a", "b"}, System.out, p));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage: report"));
  }

  private static int count(String s, String part) {
    int n = 0;
    for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }
}
