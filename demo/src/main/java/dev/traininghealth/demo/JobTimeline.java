package dev.traininghealth.demo;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Follows one job through the daemon's read API ({@code GET /api/jobs/{id}}) and prints, as it
 * happens, what a person on call would look at: the loss every few iterations, alerts that fire
 * or resolve, the commands the daemon sent, what the agent answered and whether it helped. Each
 * line carries the training iteration it belongs to, so the story reads in training time even
 * though it is polled in wall time.
 */
public final class JobTimeline {
  private static final int POINTS = 128;
  private static final long POLL_MS = 150;
  private static final Pattern AT_ITERATION = Pattern.compile("at iteration (\\d+)");

  private final DaemonApi api;
  private final String job;
  private final int lossEvery;
  private final PrintStream out;
  private long nextLossIter;
  private final Map<String, String> alertStates = new HashMap<>();
  private final Set<String> printed = new HashSet<>();
  private JsonObject last;

  /** Prints the loss at every iteration that is a multiple of {@code lossEvery}. */
  public JobTimeline(DaemonApi api, String job, int lossEvery, PrintStream out) {
    this.api = api;
    this.job = job;
    this.lossEvery = lossEvery;
    this.out = out;
  }

  /** One line of the timeline. */
  private record Line(long iter, int order, String text) {}

  /**
   * Polls until {@code trainingOver} holds and the daemon has the job's end and a verdict on
   * every command it sent, or {@code timeout} passes after training is over; returns the job's
   * last detail (null if the daemon never knew the job).
   */
  public JsonObject follow(BooleanSupplier trainingOver, Duration timeout)
      throws IOException, InterruptedException {
    long overSince = -1;
    while (true) {
      poll();
      if (trainingOver.getAsBoolean()) {
        if (overSince < 0) {
          overSince = System.nanoTime();
        }
        if (settled() || System.nanoTime() - overSince > timeout.toNanos()) {
          poll();
          return last;
        }
      }
      Thread.sleep(POLL_MS);
    }
  }

  /** The job's detail as last seen; null before the daemon knew it. */
  public JsonObject last() {
    return last;
  }

  private boolean settled() {
    if (last == null || !last.containsKey("outcome")) {
      return false;
    }
    for (JsonObject a : actions(last)) {
      if ("pending".equals(a.getString("verdict"))) {
        return false;
      }
    }
    return true;
  }

  /** Fetches the job once and prints what is new since the previous poll. */
  public void poll() throws IOException, InterruptedException {
    JsonObject j = api.job(job, POINTS).orElse(null);
    if (j == null) {
      return;
    }
    last = j;
    long now = j.getLong("iteration", 0L);
    List<Line> lines = new ArrayList<>();
    losses(j, lines);
    alerts(j, now, lines);
    for (JsonObject a : actions(j)) {
      action(a, now, lines);
    }
    lines.sort(Comparator.comparingLong(Line::iter).thenComparingInt(Line::order));
    for (Line l : lines) {
      out.printf(Locale.ROOT, "      iter %4d  %s%n", l.iter(), l.text());
    }
  }

  private void losses(JsonObject j, List<Line> lines) {
    JsonObject series = j.getJsonObject("series");
    if (series == null) {
      return;
    }
    JsonArray iters = series.getJsonArray("iter");
    JsonArray losses = series.getJsonArray("loss");
    for (int i = 0; i < iters.size(); i++) {
      long it = iters.getLong(i);
      if (it >= nextLossIter && it % lossEvery == 0) {
        lines.add(new Line(it, 0, "loss     " + fmt(losses.getValue(i))));
        nextLossIter = it + 1;
      }
    }
  }

  private void alerts(JsonObject j, long now, List<Line> lines) {
    for (Object o : j.getJsonArray("alerts", new JsonArray())) {
      JsonObject a = (JsonObject) o;
      String rule = a.getString("rule");
      String state = a.getString("state");
      String before = alertStates.put(rule, state);
      if (state.equals(before)) {
        continue;
      }
      // since_iter: the iteration the alert entered its present state.
      long at = a.getLong("since_iter", now);
      if ("firing".equals(state)) {
        lines.add(new Line(at, 1, "ALERT    " + rule + " firing (" + a.getString("severity")
            + "): " + a.getString("evidence")));
      } else if ("resolved".equals(state) && "firing".equals(before)) {
        lines.add(new Line(at, 1, "RESOLVED " + rule));
      }
    }
  }

  private void action(JsonObject a, long now, List<Line> lines) {
    String id = a.getString("id");
    String what = a.getString("action") + " " + a.getJsonObject("params").getMap();
    if ("not_sent".equals(a.getString("status")) && printed.add(id + "/not_sent")) {
      lines.add(new Line(now, 2, "NOT SENT " + what + " (" + origin(a) + "): "
          + a.getString("not_sent_reason") + ", " + a.getString("not_sent_detail")));
      return;
    }
    JsonObject command = a.getJsonObject("command");
    if (command != null && "sent".equals(a.getString("status")) && printed.add(id + "/sent")) {
      lines.add(new Line(a.getLong("sent_iter", now), 2, "COMMAND  " + what + " id "
          + shortId(id) + ", signed (sig " + shortId(command.getString("sig", "")) + "), sent at"
          + " iter " + a.getLong("sent_iter") + " by " + origin(a)));
    }
    String outcome = a.getString("outcome", "pending");
    if (!"pending".equals(outcome) && printed.add(id + "/outcome")) {
      long at = a.getLong("outcome_iter", now);
      lines.add(new Line(at, 3, "RESULT   " + outcome + " by the agent at iter " + at + ": "
          + a.getString("outcome_reason", "")));
    }
    String verdict = a.getString("verdict", "pending");
    if (!"pending".equals(verdict) && command != null && printed.add(id + "/verdict")) {
      String why = a.getString("verdict_reason", "");
      Matcher m = AT_ITERATION.matcher(why);
      long at = m.find() ? Long.parseLong(m.group(1)) : now;
      lines.add(new Line(at, 4, "VERDICT  " + verdict + ": " + why));
    }
  }

  private static String origin(JsonObject a) {
    return "rule".equals(a.getString("source"))
        ? "rule " + a.getString("rule") + ", rung " + a.getInteger("rung")
        : "the API";
  }

  /** The job's action records, oldest first; empty when the daemon did not list them. */
  static List<JsonObject> actions(JsonObject job) {
    List<JsonObject> out = new ArrayList<>();
    for (Object o : job.getJsonArray("actions", new JsonArray())) {
      out.add((JsonObject) o);
    }
    return out;
  }

  private static String shortId(String s) {
    return s.length() <= 8 ? s : s.substring(0, 8) + "...";
  }

  static String fmt(Object loss) {
    return loss instanceof Number n ? String.format(Locale.ROOT, "%.4f", n.doubleValue())
        : String.valueOf(loss);
  }
}
