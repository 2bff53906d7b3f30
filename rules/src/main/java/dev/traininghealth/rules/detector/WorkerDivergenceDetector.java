package dev.traininghealth.rules.detector;

import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.Iteration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Workers of one data-parallel job whose gradients disagree. Workers that train the same model
 * on shards of the same data see gradient norms of the same size; one whose norm is far from the
 * others' is training on different data (a bad shard, a broken input pipeline), has drifted from
 * the averaged parameters, or is about to blow up alone. The value is the ratio of the largest to
 * the smallest per-worker median gradient norm over the last {@code window} iterations of each
 * worker; the detector is active when it is at least {@code factor} (default 10). Only iterations
 * that name a {@code worker} count; a worker that has not reported for {@code max_lag}
 * iterations behind the newest one (it left, or was replaced) is left out, and fewer than two
 * workers with a full window give no verdict. Each worker's window holds its own iterations, so
 * interleaved workers do not shorten one another's history.
 * Delay: {@code window} iterations of each worker after the divergence starts, at most.
 */
public final class WorkerDivergenceDetector implements Detector {
  static final DetectorSpec SPEC =
      DetectorSpec.of(
          "worker_divergence",
          "the workers of one job report gradient norms far apart",
          Arrays.asList(
              ParamSpec.number("factor", 10, 1, "largest over smallest worker median that counts"),
              ParamSpec.integer("window", 20, 3, "iterations per worker in its median"),
              ParamSpec.integer("max_lag", 100, 1, "iterations a worker may lag before it is"
                  + " left out")),
          WorkerDivergenceDetector::new);

  /** Jobs rarely have more workers; beyond this a new worker replaces the stalest one. */
  private static final int MAX_WORKERS = 256;

  private final double factor;
  private final int window;
  private final long maxLag;
  private final Map<String, Worker> workers = new LinkedHashMap<>();
  private final double[] scratch;
  private long newestIter = Long.MIN_VALUE;

  private static final class Worker {
    final DoubleRing norms;
    long lastIter;

    Worker(int window) {
      norms = new DoubleRing(window);
    }
  }

  WorkerDivergenceDetector(Params p) {
    this.factor = p.number("factor");
    this.window = p.size("window");
    this.maxLag = p.integer("max_lag");
    this.scratch = new double[window];
  }

  @Override
  public Finding onEvent(Event event) {
    if (!(event instanceof Iteration) || event.header().worker() == null) {
      return Finding.none();
    }
    double g = ((Iteration) event).gradNorm();
    if (!Double.isFinite(g)) {
      return Finding.none(); // non-finite gradients are the nonfinite detector's
    }
    Worker w = worker(event.header().worker());
    w.norms.add(g);
    w.lastIter = event.iter();
    newestIter = Math.max(newestIter, event.iter());

    String hiName = null;
    String loName = null;
    double hi = Double.NEGATIVE_INFINITY;
    double lo = Double.POSITIVE_INFINITY;
    int counted = 0;
    for (Map.Entry<String, Worker> e : workers.entrySet()) {
      Worker x = e.getValue();
      if (!x.norms.full() || newestIter - x.lastIter > maxLag) {
        continue;
      }
      double m = x.norms.median(scratch);
      counted++;
      if (m > hi) {
        hi = m;
        hiName = e.getKey();
      }
      if (m < lo) {
        lo = m;
        loName = e.getKey();
      }
    }
    if (counted < 2) {
      return Finding.none();
    }
    double ratio = lo > 0 ? hi / lo : (hi > 0 ? Double.POSITIVE_INFINITY : 1);
    if (ratio >= factor) {
      return Finding.active(ratio, String.format(Locale.ROOT,
          "worker '%s' median gradient norm %.3g is %.3gx worker '%s''s %.3g over the last %d"
              + " iterations of each (%d workers reporting)",
          hiName, hi, ratio, loName, lo, window, counted));
    }
    return Finding.clear(ratio);
  }

  private Worker worker(String id) {
    Worker w = workers.get(id);
    if (w != null) {
      return w;
    }
    if (workers.size() >= MAX_WORKERS) {
      String stalest = null;
      long oldest = Long.MAX_VALUE;
      for (Map.Entry<String, Worker> e : workers.entrySet()) {
        if (e.getValue().lastIter < oldest) {
          oldest = e.getValue().lastIter;
          stalest = e.getKey();
        }
      }
      workers.remove(stalest);
    }
    w = new Worker(window);
    workers.put(id, w);
    return w;
  }
}
