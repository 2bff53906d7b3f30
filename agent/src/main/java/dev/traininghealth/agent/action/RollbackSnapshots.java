package dev.traininghealth.agent.action;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * In-memory copies of parameters and updater state for {@code rollback}. A copy is taken at the
 * boundary of every {@code every}-th iteration into preallocated buffers (no allocation after the
 * first ones), and counts as good only once the next iteration's loss, computed with those very
 * parameters, came out finite and at most {@value #MAX_GROWTH} times the lowest loss a good copy
 * was confirmed with; the last {@code keep} good ones are kept (see {@link #kept}). Memory:
 * (kept + 1) x (parameters + updater state), e.g. 3 x 22 MB for the 784-1024-1024-10 MLP under
 * Adam. Training thread only.
 *
 * <p>Why the growth bound: a run that blows up passes through finite but huge losses on its way to
 * NaN (the zoo's exploding MLP: 10.6 at its start, 3.7e30 ten iterations later). A copy taken
 * there is finite, and a rollback that returns to it returns into the explosion; with the bound it
 * returns to the last copy taken before the loss ran away. A run whose loss settles for good at a
 * higher level (new data, a changed objective) is not starved of copies: after
 * {@value #PATIENCE} refusals in a row the next finite copy counts again.
 *
 * <p>With {@code every} = {@link ActionSettings#ROLLBACK_AUTO} the copies set their own cadence:
 * as often as a copy costs at most {@value #AUTO_SHARE} of the time between iterations (measured,
 * smoothed), at most {@value #AUTO_MAX_EVERY} iterations apart. A rollback loses the steps since
 * its copy: on the zoo's NaN-batch run (20 iterations) a copy every 10th cost it 7 of them and
 * its target, while a copy of a small net costs microseconds. On the 784-1024-1024-10 MLP under
 * Adam a copy (22 MB) cost 2.7 ms against a 50 ms step, and auto chose every 6th iteration
 * ({@code SnapshotCostBench}).
 */
final class RollbackSnapshots {
  /** One copy: the state after the step of {@code iteration}, i.e. before the next step. */
  static final class Snapshot {
    INDArray params;
    INDArray state;
    int iteration;
    /** The loss computed with these parameters (the confirming iteration's). */
    double loss;
  }

  /** A copy whose loss is more than this many times the lowest good one's is not good. */
  static final double MAX_GROWTH = 10;
  /** Refusals in a row after which a finite copy counts again (see the class comment). */
  static final int PATIENCE = 10;

  static final double AUTO_SHARE = 0.01;
  static final int AUTO_MAX_EVERY = 100;
  static final int AUTO_SPAN = 10;
  /** A rollback skips copies whose loss is more than this many times the lowest candidate's. */
  static final double RESTORE_SLACK = 2;

  private final int every;
  private final boolean auto;
  private final int keep;
  /** Smoothed nanoseconds between boundaries and per copy (auto cadence only). */
  private double stepNanos = Double.NaN;
  private double copyNanos = Double.NaN;
  private long lastBoundaryNanos = -1;
  private int lastTaken = Integer.MIN_VALUE;
  /** Whether the last {@link #take} allocated new buffers. */
  private boolean allocated;
  private final Deque<Snapshot> good = new ArrayDeque<>();
  private final Deque<Snapshot> free = new ArrayDeque<>();
  private Snapshot pending;
  /** The lowest loss a good copy was confirmed with since the last reset. */
  private double reference = Double.POSITIVE_INFINITY;
  private int refusedInARow;
  private long refused;

  RollbackSnapshots(int every, int keep) {
    this.auto = every == ActionSettings.ROLLBACK_AUTO;
    this.every = every;
    this.keep = keep;
  }

  boolean enabled() {
    return auto || every > 0;
  }

  /**
   * Copies kept now: {@code keep}, and under the auto cadence at least enough to reach
   * {@value #AUTO_SPAN} iterations back, as a copy every 10th did. A run that blows up climbs for
   * several steps before a detector sees it, and a rollback needs a copy from before the climb;
   * copies taken every iteration are cheap, so there is room for ten (see {@link #restore}).
   */
  int kept() {
    if (!auto || Double.isNaN(copyNanos)) {
      // Until a copy into reused buffers was timed, the cadence is a guess (every iteration):
      // keeping ten copies of a large net on that guess would allocate ten of them for good.
      return keep;
    }
    return Math.max(keep, (AUTO_SPAN + cadence() - 1) / cadence());
  }

  /** Iterations between copies now: the setting, or the auto cadence measured so far. */
  int cadence() {
    if (!auto) {
      return every;
    }
    if (Double.isNaN(stepNanos) || Double.isNaN(copyNanos) || stepNanos <= 0) {
      return 1;
    }
    double n = Math.ceil(copyNanos / (AUTO_SHARE * stepNanos));
    return (int) Math.max(1, Math.min(AUTO_MAX_EVERY, n));
  }

  /** Confirms or drops the pending copy by this iteration's loss; takes a new one when due. */
  void atBoundary(Model m, int iteration, double score) {
    if (!enabled()) {
      return;
    }
    long now = auto ? System.nanoTime() : 0;
    if (auto && lastBoundaryNanos >= 0) {
      stepNanos = smooth(stepNanos, now - lastBoundaryNanos);
    }
    if (pending != null) {
      boolean settled = refusedInARow >= PATIENCE;
      if (Double.isFinite(score) && (settled || withinGrowth(score))) {
        // After PATIENCE refusals the loss's new level is the one to measure growth from.
        reference = settled ? score : Math.min(reference, score);
        good.addLast(pending);
        pending.loss = score;
        while (good.size() > kept()) {
          free.addLast(good.removeFirst());
        }
        refusedInARow = 0;
      } else {
        free.addLast(pending);
        if (Double.isFinite(score)) {
          refusedInARow++;
          refused++;
        }
      }
      pending = null;
    }
    if (auto) {
      if ((long) iteration - lastTaken >= cadence() || iteration < lastTaken) {
        pending = take(m, iteration);
        lastTaken = iteration;
        if (!allocated) {
          // A first copy allocates its buffers (tens of ms for 22 MB): not what a copy costs.
          copyNanos = smooth(copyNanos, System.nanoTime() - now);
        }
      }
      // The copy's own time is not part of the step it is measured against.
      lastBoundaryNanos = System.nanoTime();
    } else if (iteration % every == 0) {
      pending = take(m, iteration);
    }
  }

  private static double smooth(double avg, double sample) {
    return Double.isNaN(avg) ? sample : avg + 0.2 * (sample - avg);
  }

  private boolean withinGrowth(double loss) {
    // |reference| keeps the bound meaningful for losses that can be negative (log-likelihoods).
    return reference == Double.POSITIVE_INFINITY
        || loss <= reference + (MAX_GROWTH - 1) * Math.abs(reference);
  }

  private Snapshot take(Model m, int iteration) {
    allocated = false;
    INDArray params = ModelState.params(m);
    INDArray state = ModelState.updaterState(m);
    Snapshot s = free.pollFirst();
    if (s == null || !fits(s.params, params) || !fits(s.state, state)) {
      s = new Snapshot();
      allocated = true;
      s.params = params.dup();
      s.state = state == null ? null : state.dup();
    } else {
      s.params.assign(params);
      if (state != null) {
        s.state.assign(state);
      }
    }
    s.iteration = iteration;
    return s;
  }

  private static boolean fits(INDArray buffer, INDArray live) {
    if (live == null) {
      return buffer == null;
    }
    return buffer != null && buffer.length() == live.length()
        && buffer.dataType() == live.dataType();
  }

  /**
   * Restores the newest good copy taken before iteration {@code before} (any, when negative) whose
   * loss is at most {@value #RESTORE_SLACK} times the lowest among those candidates, forgets it and
   * every newer one, and returns its iteration; -1 when there is none. The newest copies of a run
   * that is blowing up were taken on its way up, before the gradients crossed a detector's bound,
   * and returning there returns into the climb.
   */
  int restore(Model m, long before) {
    double lowest = Double.POSITIVE_INFINITY;
    for (Snapshot s : good) {
      if (before < 0 || s.iteration < before) {
        lowest = Math.min(lowest, s.loss);
      }
    }
    Snapshot chosen = null;
    for (Iterator<Snapshot> it = good.descendingIterator(); it.hasNext(); ) {
      Snapshot s = it.next();
      if ((before < 0 || s.iteration < before)
          && s.loss <= lowest + (RESTORE_SLACK - 1) * Math.abs(lowest)) {
        chosen = s;
        break;
      }
    }
    if (chosen == null) {
      return -1;
    }
    ModelState.restore(m, chosen.params, chosen.state);
    while (!good.isEmpty() && good.peekLast() != chosen) {
      free.addLast(good.removeLast());
    }
    int at = chosen.iteration;
    // The restored copy stays: a second rollback returns to the same point.
    dropPending();
    return at;
  }

  /** Forgets every copy, e.g. after the parameters were replaced by a restart. */
  void clear() {
    while (!good.isEmpty()) {
      free.addLast(good.removeFirst());
    }
    refusedInARow = 0;
    reference = Double.POSITIVE_INFINITY;
    dropPending();
  }

  private void dropPending() {
    if (pending != null) {
      free.addLast(pending);
      pending = null;
    }
  }

  /**
   * Iterations of the good copies, oldest first, and how many finite copies the growth bound
   * refused (for reports and tests).
   */
  String describe() {
    StringBuilder b = new StringBuilder("[");
    for (Snapshot s : good) {
      b.append(b.length() > 1 ? "," : "").append(s.iteration);
    }
    b.append(']');
    if (refused > 0) {
      b.append("; ").append(refused).append(" finite copies refused, their loss over ")
          .append((long) MAX_GROWTH).append("x the lowest good");
    }
    return b.toString();
  }
}
