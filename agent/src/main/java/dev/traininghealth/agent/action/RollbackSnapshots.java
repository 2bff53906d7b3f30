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
 * was confirmed with; the last {@code keep} good ones are kept. Memory: (keep + 1) x (parameters + updater
 * state), e.g. 3 x 22 MB for the 784-1024-1024-10 MLP under Adam. Training thread only.
 *
 * <p>Why the growth bound: a run that blows up passes through finite but huge losses on its way to
 * NaN (the zoo's exploding MLP: 10.6 at its start, 3.7e30 ten iterations later). A copy taken
 * there is finite, and a rollback that returns to it returns into the explosion; with the bound it
 * returns to the last copy taken before the loss ran away. A run whose loss settles for good at a
 * higher level (new data, a changed objective) is not starved of copies: after
 * {@value #PATIENCE} refusals in a row the next finite copy counts again.
 */
final class RollbackSnapshots {
  /** One copy: the state after the step of {@code iteration}, i.e. before the next step. */
  static final class Snapshot {
    INDArray params;
    INDArray state;
    int iteration;
  }

  /** A copy whose loss is more than this many times the lowest good one's is not good. */
  static final double MAX_GROWTH = 10;
  /** Refusals in a row after which a finite copy counts again (see the class comment). */
  static final int PATIENCE = 10;

  private final int every;
  private final int keep;
  private final Deque<Snapshot> good = new ArrayDeque<>();
  private final Deque<Snapshot> free = new ArrayDeque<>();
  private Snapshot pending;
  /** The lowest loss a good copy was confirmed with since the last reset. */
  private double reference = Double.POSITIVE_INFINITY;
  private int refusedInARow;
  private long refused;

  RollbackSnapshots(int every, int keep) {
    this.every = every;
    this.keep = keep;
  }

  boolean enabled() {
    return every > 0;
  }

  /** Confirms or drops the pending copy by this iteration's loss; takes a new one when due. */
  void atBoundary(Model m, int iteration, double score) {
    if (every <= 0) {
      return;
    }
    if (pending != null) {
      boolean settled = refusedInARow >= PATIENCE;
      if (Double.isFinite(score) && (settled || withinGrowth(score))) {
        // After PATIENCE refusals the loss's new level is the one to measure growth from.
        reference = settled ? score : Math.min(reference, score);
        good.addLast(pending);
        while (good.size() > keep) {
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
    if (iteration % every == 0) {
      pending = take(m, iteration);
    }
  }

  private boolean withinGrowth(double loss) {
    // |reference| keeps the bound meaningful for losses that can be negative (log-likelihoods).
    return reference == Double.POSITIVE_INFINITY
        || loss <= reference + (MAX_GROWTH - 1) * Math.abs(reference);
  }

  private Snapshot take(Model m, int iteration) {
    INDArray params = ModelState.params(m);
    INDArray state = ModelState.updaterState(m);
    Snapshot s = free.pollFirst();
    if (s == null || !fits(s.params, params) || !fits(s.state, state)) {
      s = new Snapshot();
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
   * Restores the newest good copy taken before iteration {@code before} (any, when negative),
   * forgets it and every newer one, and returns its iteration; -1 when there is none.
   */
  int restore(Model m, long before) {
    Snapshot chosen = null;
    for (Iterator<Snapshot> it = good.descendingIterator(); it.hasNext(); ) {
      Snapshot s = it.next();
      if (before < 0 || s.iteration < before) {
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
