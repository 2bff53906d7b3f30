package dev.traininghealth.daemon.report;

import java.io.IOException;
import java.io.Writer;
import java.time.Instant;
import java.util.List;

/**
 * Writes the post-mortem as one HTML file with everything inline (styles, SVG): it can be
 * mailed, attached to a ticket or opened offline.
 */
final class HtmlReport {
  private static final String CSS = """
      body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#1d2530;max-width:1200px}
      h1{font-size:22px}h2{font-size:18px;border-top:1px solid #dde;padding-top:1em}
      table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid #eee;
      text-align:left;vertical-align:top;font-variant-numeric:tabular-nums}
      .charts{display:grid;grid-template-columns:1fr 1fr;gap:10px}
      svg.chart{width:100%;height:auto;border:1px solid #e3e6ea;background:#fbfcfd}
      svg text{font-size:10px;fill:#6b7480}svg text.title{font-size:12px;fill:#1d2530}
      .axis{stroke:#c5cad1}.nonfinite{stroke:#c62828;stroke-width:2}
      .critical{color:#b71c1c;font-weight:600}.warning{color:#e65100}.info{color:#1565c0}
      .muted{color:#6b7480}
      """;

  private HtmlReport() {}

  static void write(Writer w, String source, EventLog.Stats stats, List<JobHistory> jobs)
      throws IOException {
    w.write("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<title>Training Health post-mortem: " + Html.esc(source) + "</title><style>" + CSS
        + "</style></head><body>\n");
    w.write("<h1>Training Health post-mortem</h1>\n<p>Log <code>" + Html.esc(source)
        + "</code>: " + stats.events() + " events, " + jobs.size() + " job(s)"
        + (stats.malformed() > 0 ? ", <span class=\"warning\">" + stats.malformed()
            + " malformed line(s) skipped</span>" : "")
        + ". Alerts are those of the default rules replayed over the log.</p>\n");
    for (String e : stats.firstErrors()) {
      w.write("<p class=\"muted\">" + Html.esc(e) + "</p>\n");
    }
    for (JobHistory j : jobs) {
      job(w, j);
    }
    w.write("</body></html>\n");
  }

  private static void job(Writer w, JobHistory j) throws IOException {
    w.write("<h2 id=\"job-" + Html.esc(j.job) + "\">Job " + Html.esc(j.job) + "</h2>\n");
    w.write("<p>" + j.events + " events, " + j.iterations.size() + " iterations, "
        + j.runs.size() + " run(s), " + j.nonFinite + " non-finite finding(s); from "
        + Instant.ofEpochMilli(j.firstTs) + " to " + Instant.ofEpochMilli(j.lastTs)
        + (j.outcome.isEmpty() ? "; no job_finished event" : "; finished: "
            + Html.esc(j.outcome)) + ".</p>\n");
    JobHistory.Series it = j.iterations;
    long[] x = xs(it);
    JobHistory.Series cv = j.curvature;
    long[] cx = xs(cv);
    double[] eos = new double[cx.length];
    for (int i = 0; i < cx.length; i++) {
      eos[i] = 2 / learningRateAt(it, cx[i]);
    }
    w.write("<div class=\"charts\">\n");
    w.write(Svg.chart("loss", List.of(new Svg.Line("loss", "#1565c0", x, ys(it, 0), false)),
        true));
    w.write(Svg.chart("gradient norm", List.of(
        new Svg.Line("‖g‖", "#6a1b9a", x, ys(it, 1), false)), true));
    w.write(Svg.chart("curvature: λmax, λmin, edge of stability 2/lr", List.of(
        new Svg.Line("λmax", "#c62828", cx, ys(cv, 0), false),
        new Svg.Line("λmin", "#00838f", cx, ys(cv, 1), false),
        new Svg.Line("2/lr", "#9e9e9e", cx, eos, true)), false));
    w.write(Svg.chart("learning rate", List.of(
        new Svg.Line("lr", "#2e7d32", x, ys(it, 2), false)), true));
    w.write("</div>\n<h3>Timeline</h3>\n");
    if (j.timeline.isEmpty()) {
      w.write("<p class=\"muted\">Nothing happened: no alert, no action.</p>\n");
      return;
    }
    w.write("<table><tr><th>time</th><th>iteration</th><th>what</th><th></th></tr>\n");
    for (JobHistory.Entry e : j.timeline) {
      w.write("<tr class=\"" + Html.esc(e.severity()) + "\"><td>"
          + Instant.ofEpochMilli(e.ts()) + "</td><td>" + e.iter() + "</td><td>"
          + Html.esc(e.kind()) + "</td><td>" + Html.esc(e.text()) + "</td></tr>\n");
    }
    w.write("</table>\n");
  }

  private static long[] xs(JobHistory.Series s) {
    long[] x = new long[s.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = s.x(i);
    }
    return x;
  }

  private static double[] ys(JobHistory.Series s, int column) {
    double[] y = new double[s.size()];
    for (int i = 0; i < y.length; i++) {
      y[i] = s.y(column, i);
    }
    return y;
  }

  /** The learning rate of the last iteration at or before {@code iter} (NaN if none). */
  private static double learningRateAt(JobHistory.Series it, long iter) {
    double lr = Double.NaN;
    for (int i = 0; i < it.size() && it.x(i) <= iter; i++) {
      lr = it.y(2, i);
    }
    return lr;
  }
}
