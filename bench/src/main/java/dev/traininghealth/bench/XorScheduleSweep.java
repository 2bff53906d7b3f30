package dev.traininghealth.bench;

import dev.traininghealth.agent.action.UnitReinit;
import dev.traininghealth.zoo.XorPlateau;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntToDoubleFunction;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

/**
 * The XOR plateau without agent or daemon: how many seeds a learning-rate kick like the rescue's
 * (set by hand at the iteration where the plateau rule fires) gets to the target, against SGDR
 * and cyclical rates, on more seeds than {@code RescueBench} runs. It separates what the kick can
 * do from when the daemon sends it: a seed that the hand-timed kick does not rescue is not a
 * detection problem. Plain DL4J, a few seconds. The last row adds the agent's {@code reinit_units}
 * (called directly) where {@code plateau-reinit} would send it.
 *
 * <p>Arguments: {@code [seeds]} (1..N, default 20).
 */
public final class XorScheduleSweep {
  private static final int BUDGET = 500;
  private static final double TARGET = 0.05;
  /** About where {@code plateau-kick} fires (window 100, for 20). */
  private static final int KICK_AT = 120;
  private static final int KICK_FOR = 300;
  /** About where {@code plateau-reinit} goes out: once the kick is 200 iterations old. */
  private static final int REINIT_AT = 330;
  /** A run still above this at {@link #REINIT_AT} is on its second plateau (or still falling). */
  private static final double REINIT_ABOVE = 0.1;

  private XorScheduleSweep() {}

  public static void main(String[] args) {
    int seeds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    XorPlateau zoo = new XorPlateau();
    double base = XorPlateau.LEARNING_RATE;
    System.out.printf(Locale.ROOT, "XOR 2-2-1 sigmoid, SGD lr %s, seeds 1..%d, %d iterations,"
        + " target MSE %s; kicks from iteration %d for %d%n", base, seeds, BUDGET, TARGET, KICK_AT,
        KICK_FOR);
    row(zoo, seeds, "none", t -> base);
    for (double k : new double[] {5, 10, 20}) {
      row(zoo, seeds, String.format(Locale.ROOT, "flat kick x%.0f", k), t -> base * kick(t, k, false));
    }
    row(zoo, seeds, "cosine kick x10", t -> base * kick(t, 10, true));
    row(zoo, seeds, "kick x10 + reinit", t -> base * kick(t, 10, false), true);
    row(zoo, seeds, "SGDR", t -> RescueArm.SGDR.learningRate(base, t, BUDGET));
    row(zoo, seeds, "cyclical LR", t -> RescueArm.CYCLIC.learningRate(base, t, BUDGET));
  }

  private static double kick(int t, double k, boolean cosine) {
    if (t < KICK_AT || t >= KICK_AT + KICK_FOR) {
      return 1;
    }
    if (!cosine) {
      return k;
    }
    double frac = (t - KICK_AT) / (double) KICK_FOR;
    return 1 + (k - 1) * 0.5 * (1 + Math.cos(Math.PI * frac));
  }

  private static void row(XorPlateau zoo, int seeds, String label, IntToDoubleFunction lr) {
    row(zoo, seeds, label, lr, false);
  }

  /**
   * {@code reinit}: at {@link #REINIT_AT}, a run whose loss is still above {@link #REINIT_ABOVE}
   * gets the agent's {@code reinit_units} (one unit), as the rescue rules send it.
   */
  private static void row(XorPlateau zoo, int seeds, String label, IntToDoubleFunction lr,
      boolean reinit) {
    int reached = 0;
    List<String> misses = new ArrayList<>();
    for (long seed = 1; seed <= seeds; seed++) {
      MultiLayerNetwork net = zoo.network(seed);
      DataSet batch = zoo.data(seed).next();
      for (int t = 0; t < BUDGET; t++) {
        if (reinit && t == REINIT_AT && net.score() > REINIT_ABOVE) {
          net.setInput(batch.getFeatures()); // the batch the agent would rank the units on
          UnitReinit.apply(net, 1, seed);
        }
        net.setLearningRate(lr.applyAsDouble(t));
        net.fit(batch);
      }
      double loss = net.score();
      if (loss <= TARGET) {
        reached++;
      } else {
        misses.add(String.format(Locale.ROOT, "%d (%.3f)", seed, loss));
      }
    }
    System.out.printf(Locale.ROOT, "  %-16s %2d/%d reach the target; misses: %s%n", label, reached,
        seeds, misses.isEmpty() ? "none" : String.join(", ", misses));
  }
}
