package dev.traininghealth.daemon.report;

import dev.traininghealth.rules.rule.RuleSet;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code report <events.jsonl> [-o report.html]}: writes the post-mortem of a recorded event log
 * (JSON lines as the agent sends them; e.g. {@code kafka-console-consumer --topic th.events
 * --property print.key=false > events.jsonl}). Shows progress on stderr for long logs.
 */
public final class ReportMain {
  private ReportMain() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command; returns the exit status (0 done, 1 failed, 2 usage). */
  static int run(String[] args, PrintStream out, PrintStream err) {
    Path in = null;
    Path html = null;
    for (int i = 0; i < args.length; i++) {
      if ((args[i].equals("-o") || args[i].equals("--output")) && i + 1 < args.length) {
        html = Path.of(args[++i]);
      } else if (args[i].startsWith("-") || in != null) {
        err.println("usage: report <events.jsonl> [-o report.html]");
        return 2;
      } else {
        in = Path.of(args[i]);
      }
    }
    if (in == null) {
      err.println("usage: report <events.jsonl> [-o report.html]");
      return 2;
    }
    if (html == null) {
      String name = in.getFileName().toString().replaceFirst("\\.jsonl?$", "");
      html = in.resolveSibling(name + ".report.html");
    }
    try {
      long t0 = System.nanoTime();
      PostMortem pm = new PostMortem(RuleSet.defaults());
      EventLog.Stats stats = EventLog.read(in, pm::accept, new ProgressLine(err));
      try (Writer w = Files.newBufferedWriter(html, StandardCharsets.UTF_8)) {
        HtmlReport.write(w, in.getFileName().toString(), stats, pm.jobs());
      }
      out.printf("report: %d events, %d job(s), %d malformed line(s) -> %s (%.1f s)%n",
          stats.events(), pm.jobs().size(), stats.malformed(), html,
          (System.nanoTime() - t0) / 1e9);
      return 0;
    } catch (IOException | RuntimeException e) {
      err.println("report: " + e);
      return 1;
    }
  }

  /** At most one progress line a second, rewritten in place on a terminal. */
  private static final class ProgressLine implements EventLog.Progress {
    private final PrintStream err;
    private long lastNs = System.nanoTime();
    private boolean printed;

    ProgressLine(PrintStream err) {
      this.err = err;
    }

    @Override
    public void update(long read, long total, long events) {
      long now = System.nanoTime();
      boolean done = read >= total;
      if (!done && now - lastNs < 1_000_000_000L) {
        return;
      }
      if (done && !printed) {
        return; // a short log needs no progress
      }
      lastNs = now;
      printed = true;
      err.printf("report: %3d%% read, %d events%s", total == 0 ? 100 : read * 100 / total,
          events, done ? "\n" : "\r");
      err.flush();
    }
  }
}
