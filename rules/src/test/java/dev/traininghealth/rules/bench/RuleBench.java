package dev.traininghealth.rules.bench;

import dev.traininghealth.rules.Synthetic;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.rule.JobEvaluator;
import dev.traininghealth.rules.rule.RuleSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Events per second through a {@link JobEvaluator} with the default rules, and heap per tracked
 * job. Not a test: run by hand,
 *
 * <pre>
 * mvn -B -o -q -pl rules test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.traininghealth.rules.bench.RuleBench
 * </pre>
 *
 * The stream is a healthy synthetic run (iterations with six per-layer entries, activations every
 * 50 and curvature every 100 iterations), built before timing so only evaluation is measured.
 * Throughput: one job, a fresh evaluator per pass, 10 warm-up and 9 timed passes, median; then
 * 1,000 jobs interleaved round-robin, closer to a daemon's access pattern. Heap: 10,000 evaluators
 * each fed 400 events, used heap after full GCs minus before, divided by the job count.
 */
public final class RuleBench {
  private RuleBench() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
    List<Event> events = new Synthetic("bench", 1).healthyRun(n);
    RuleSet rules = RuleSet.defaults();
    System.out.printf(Locale.ROOT, "rules: %d default rules, stream: %d events%n",
        rules.rules().size(), events.size());

    double[] rates = new double[9];
    long sink = 0;
    for (int pass = -10; pass < rates.length; pass++) {
      JobEvaluator ev = new JobEvaluator("bench", rules);
      long t0 = System.nanoTime();
      sink += feed(ev, events);
      long dt = System.nanoTime() - t0;
      if (pass >= 0) {
        rates[pass] = events.size() / (dt / 1e9);
      }
    }
    Arrays.sort(rates);
    System.out.printf(Locale.ROOT,
        "one job:     %.2f M events/s median (min %.2f, max %.2f), %d alert changes%n",
        rates[4] / 1e6, rates[0] / 1e6, rates[8] / 1e6, sink);

    int jobs = 1000;
    int perJob = Math.min(events.size(), 2000);
    double[] multi = new double[5];
    for (int pass = -4; pass < multi.length; pass++) {
      JobEvaluator[] evs = new JobEvaluator[jobs];
      for (int j = 0; j < jobs; j++) {
        evs[j] = new JobEvaluator("job-" + j, rules);
      }
      long t0 = System.nanoTime();
      for (int i = 0; i < perJob; i++) {
        Event e = events.get(i);
        for (int j = 0; j < jobs; j++) {
          sink += evs[j].onEvent(e).size();
        }
      }
      long dt = System.nanoTime() - t0;
      if (pass >= 0) {
        multi[pass] = (double) jobs * perJob / (dt / 1e9);
      }
    }
    Arrays.sort(multi);
    System.out.printf(Locale.ROOT, "1000 jobs:   %.2f M events/s median (min %.2f, max %.2f)%n",
        multi[2] / 1e6, multi[0] / 1e6, multi[4] / 1e6);

    int tracked = 10_000;
    long before = usedAfterGc();
    List<JobEvaluator> held = new ArrayList<>(tracked);
    for (int j = 0; j < tracked; j++) {
      JobEvaluator ev = new JobEvaluator("job-" + j, rules);
      for (int i = 0; i < 400; i++) {
        sink += ev.onEvent(events.get(i)).size();
      }
      held.add(ev);
    }
    long after = usedAfterGc();
    System.out.printf(Locale.ROOT, "heap:        %d bytes per job (%d jobs, %.1f MB)%n",
        (after - before) / tracked, held.size(), (after - before) / 1e6);
    System.out.println("(sink " + sink + ")");
  }

  /** A method of its own so the JIT compiles it whole rather than replacing a running loop. */
  private static long feed(JobEvaluator ev, List<Event> events) {
    long changes = 0;
    for (int i = 0; i < events.size(); i++) {
      changes += ev.onEvent(events.get(i)).size();
    }
    return changes;
  }

  private static long usedAfterGc() {
    Runtime rt = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      used = Math.min(used, rt.totalMemory() - rt.freeMemory());
    }
    return used;
  }
}
