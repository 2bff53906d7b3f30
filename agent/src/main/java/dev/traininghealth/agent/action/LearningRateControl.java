package dev.traininghealth.agent.action;

import java.lang.reflect.Method;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Scales the learning rate of a running network without losing its schedule: a persistent
 * factor ({@code lr_scale}), a temporary one for a number of iterations ({@code lr_kick}) and
 * zero ({@code stop}).
 *
 * <p>While the effective factor is not 1, at every boundary each updater configuration gets the
 * fixed rate {@code factor x (what the original schedule gives for the next iteration)}; DL4J's
 * updaters read it from those objects at the next step ({@code getLearningRate(iteration,
 * epoch)}). When the factor returns to 1 the original rate and schedule objects are put back, so
 * the run continues exactly as its schedule says. An epoch-based schedule sees the epoch of the
 * boundary, so at an epoch change the first step of the new epoch uses the old epoch's value.
 * Nothing runs per step while the factor is 1. Training thread only.
 */
final class LearningRateControl {
  private final Map<IUpdater, Original> originals = new IdentityHashMap<>();
  private double scale = 1;
  private double kick = 1;
  private long kickUntil = -1;
  private double kickPeak = 1;
  private long kickFrom = -1;
  private boolean kickCosine;
  private boolean frozen;

  /** Scales the rate by {@code factor} for the next {@code iterations} steps after {@code iter}. */
  void kick(Model m, double factor, int iterations, int iter, int epoch) {
    kick(m, factor, iterations, false, iter, epoch);
  }

  /**
   * As {@link #kick(Model, double, int, int, int)}; with {@code cosine} the factor falls from
   * {@code factor} to 1 along half a cosine over the kick, as one warm restart of SGDR
   * (Loshchilov and Hutter, ICLR 2017) does, so that the run anneals into the basin the kick
   * reached. (On the zoo's XOR plateau the flat kick did better: README, "XOR on more seeds".)
   */
  void kick(Model m, double factor, int iterations, boolean cosine, int iter, int epoch) {
    kickPeak = factor;
    kickFrom = iter;
    kickCosine = cosine;
    kick = factor;
    kickUntil = (long) iter + iterations;
    apply(m, iter, epoch);
  }

  /** The kick's factor for the step after the boundary of {@code iter}. */
  private double kickAt(int iter) {
    if (!kickCosine) {
      return kickPeak;
    }
    double frac = (double) (iter - kickFrom) / (kickUntil - kickFrom);
    return 1 + (kickPeak - 1) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, Math.max(0, frac))));
  }

  /** Multiplies the persistent factor. */
  void scale(Model m, double factor, int iter, int epoch) {
    scale *= factor;
    apply(m, iter, epoch);
  }

  /** Learning rate zero from now on: nothing moves the parameters any more. */
  void freeze(Model m, int iter, int epoch) {
    frozen = true;
    apply(m, iter, epoch);
  }

  boolean frozen() {
    return frozen;
  }

  double persistentScale() {
    return scale;
  }

  /** Whether a kick is running after the boundary of {@code iter}. */
  boolean kicking(int iter) {
    return kick != 1 && iter < kickUntil;
  }

  double factor() {
    return frozen ? 0 : scale * kick;
  }

  /**
   * Ends a running kick now (the persistent scale stays): a restart abandons the trajectory the
   * kick was pushing, and a fresh start at ten times the rate is a different, unasked-for run.
   * Returns whether a kick was running.
   */
  boolean endKick(Model m, int iter, int epoch) {
    if (kick == 1) {
      return false;
    }
    kick = 1;
    kickUntil = -1;
    apply(m, iter, epoch);
    return true;
  }

  /** Keeps the override in step with the schedule; ends a kick that has run its course. */
  void atBoundary(Model m, int iter, int epoch) {
    if (kick != 1 && iter >= kickUntil) {
      kick = 1;
      kickUntil = -1;
      apply(m, iter, epoch);
    } else if (kick != 1 && kickCosine) {
      // Never exactly 1 before the end, so the override stays until the kick ends.
      double f = kickAt(iter);
      kick = kickPeak > 1 ? Math.max(Math.nextUp(1.0), f) : Math.min(Math.nextDown(1.0), f);
      apply(m, iter, epoch);
    } else if (!originals.isEmpty()) {
      apply(m, iter, epoch);
    }
  }

  /** The rate the job's own schedule gives the first updater for {@code iter}, or NaN. */
  double scheduled(Model m, int iter, int epoch) {
    List<IUpdater> us = ModelState.updaterConfigs(m);
    if (us.isEmpty()) {
      return Double.NaN;
    }
    Original o = originals.get(us.get(0));
    return o != null ? o.valueAt(iter, epoch) : us.get(0).getLearningRate(iter, epoch);
  }

  private void apply(Model m, int iter, int epoch) {
    double f = factor();
    if (f == 1) {
      for (Map.Entry<IUpdater, Original> e : originals.entrySet()) {
        e.getValue().restoreInto(e.getKey());
      }
      originals.clear();
      return;
    }
    for (IUpdater u : ModelState.updaterConfigs(m)) {
      Original o = originals.get(u);
      if (o == null) {
        o = Original.capture(u, iter + 1, epoch);
        originals.put(u, o);
      }
      u.setLrAndSchedule(f * o.valueAt(iter + 1, epoch), null);
    }
  }

  /** An updater's own learning rate and schedule, as the job configured them. */
  private static final class Original {
    private final double lr;
    private final ISchedule schedule;
    private final boolean exact;

    private Original(double lr, ISchedule schedule, boolean exact) {
      this.lr = lr;
      this.schedule = schedule;
      this.exact = exact;
    }

    /**
     * Reads the Lombok getters every built-in updater has ({@code getLearningRate()},
     * {@code getLearningRateSchedule()}); an updater without them keeps the rate it had when
     * first scaled, i.e. its schedule is frozen at that value (the only case that is not exact).
     */
    static Original capture(IUpdater u, int iter, int epoch) {
      try {
        Method lrGetter = u.getClass().getMethod("getLearningRate");
        Method scheduleGetter = u.getClass().getMethod("getLearningRateSchedule");
        double lr = ((Number) lrGetter.invoke(u)).doubleValue();
        ISchedule s = (ISchedule) scheduleGetter.invoke(u);
        return new Original(lr, s, true);
      } catch (ReflectiveOperationException | RuntimeException e) {
        return new Original(u.getLearningRate(iter, epoch), null, false);
      }
    }

    double valueAt(int iter, int epoch) {
      return schedule != null ? schedule.valueAt(iter, epoch) : lr;
    }

    void restoreInto(IUpdater u) {
      u.setLrAndSchedule(exact || schedule == null ? lr : Double.NaN, schedule);
    }
  }
}
