package dev.traininghealth.rules.detector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BlockTrendTest {
  /** The textbook statistic, recomputed from scratch over the block means. */
  private static double mannKendallZ(double[] x) {
    int n = x.length;
    long s = 0;
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        s += (long) Math.signum(x[j] - x[i]);
      }
    }
    double sd = Math.sqrt(n * (n - 1) * (2.0 * n + 5) / 18);
    return s > 0 ? (s - 1) / sd : s < 0 ? (s + 1) / sd : 0;
  }

  @Test
  void slidingStatisticMatchesTheTextbookOneAtEveryBlock() {
    Random r = new Random(3);
    BlockTrend t = new BlockTrend(8, 3);
    double[] all = new double[300];
    for (int i = 0; i < all.length; i++) {
      all[i] = Math.sin(i / 40.0) + 0.3 * r.nextGaussian();
      if (t.add(all[i]) && t.ready()) {
        double[] means = new double[8];
        int end = i + 1;
        for (int b = 0; b < 8; b++) {
          double sum = 0;
          for (int k = 0; k < 3; k++) {
            sum += all[end - 24 + 3 * b + k];
          }
          means[b] = sum / 3;
        }
        assertEquals(mannKendallZ(means), t.z(), 1e-12, "at " + i);
      }
    }
    assertTrue(t.ready());
  }

  @Test
  void medianSelectionMatchesSorting() {
    Random r = new Random(5);
    DoubleRing ring = new DoubleRing(37);
    double[] scratch = new double[37];
    for (int i = 0; i < 500; i++) {
      ring.add(r.nextGaussian());
      double[] copy = new double[ring.size()];
      for (int k = 0; k < copy.length; k++) {
        copy[k] = ring.get(k);
      }
      java.util.Arrays.sort(copy);
      assertEquals(copy[copy.length / 2], ring.median(scratch), 0.0, "at " + i);
    }
  }
}
