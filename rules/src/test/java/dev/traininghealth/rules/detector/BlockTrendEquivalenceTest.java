package dev.traininghealth.rules.detector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link BlockTrend}'s one-pass update of S with branchless signs and its standard deviation of
 * S worked out once give the very z and relative improvement, to the bit, that the two-pass
 * update did ({@link ReferenceBlockTrend}, kept verbatim): on random windows and block sizes,
 * noisy falling losses, and ties.
 */
class BlockTrendEquivalenceTest {
  @Test
  void givesTheSameVerdictsToTheBitAsBefore() {
    Random r = new Random(2);
    int blocks = 0;
    for (int run = 0; run < 100; run++) {
      int n = 5 + r.nextInt(30);
      int size = 1 + r.nextInt(12);
      ReferenceBlockTrend before = new ReferenceBlockTrend(n, size);
      BlockTrend now = new BlockTrend(n, size);
      for (int i = 0; i < 3_000; i++) {
        double loss = r.nextInt(10) == 0 ? 1.0 // ties among block means of 1
            : 2.3 / (1 + i / (10.0 + run)) * Math.exp(0.05 * r.nextGaussian());
        boolean redone = before.add(loss);
        String at = "run " + run + ", loss " + i;
        assertEquals(redone, now.add(loss), at);
        assertEquals(Double.doubleToLongBits(before.z()), Double.doubleToLongBits(now.z()), at);
        assertEquals(Double.doubleToLongBits(before.relativeImprovement()),
            Double.doubleToLongBits(now.relativeImprovement()), at);
        blocks += redone ? 1 : 0;
      }
    }
    assertEquals(true, blocks > 10_000, blocks + " blocks");
  }

  static final class ReferenceBlockTrend {
    private final DoubleRing means;
    private final int blockSize;
    private final double varS;
    private long s;
    private double blockSum;
    private int inBlock;
    private double z = Double.NaN;
    private double relativeImprovement = Double.NaN;

    ReferenceBlockTrend(int blocks, int blockSize) {
      if (blocks < 5) {
        throw new IllegalArgumentException(
            "a trend test needs at least 5 blocks (window / block), got " + blocks);
      }
      if (blockSize < 1) {
        throw new IllegalArgumentException("block must be >= 1, got " + blockSize);
      }
      this.means = new DoubleRing(blocks);
      this.blockSize = blockSize;
      double n = blocks;
      this.varS = n * (n - 1) * (2 * n + 5) / 18.0;
    }

    /** Takes one finite loss; returns true when it completed a block and the test was redone. */
    boolean add(double loss) {
      blockSum += loss;
      if (++inBlock < blockSize) {
        return false;
      }
      double m = blockSum / blockSize;
      if (means.full()) {
        double oldest = means.get(0);
        for (int j = 1; j < means.size(); j++) {
          s -= sign(means.get(j) - oldest);
        }
        for (int i = 1; i < means.size(); i++) {
          s += sign(m - means.get(i));
        }
      } else {
        for (int i = 0; i < means.size(); i++) {
          s += sign(m - means.get(i));
        }
      }
      means.add(m);
      blockSum = 0;
      inBlock = 0;
      if (means.full()) {
        recompute();
      }
      return true;
    }

    /** Whether the window has been filled once, so {@link #z()} means something. */
    boolean ready() {
      return means.full();
    }

    /** Mann-Kendall z with continuity correction: negative when the loss goes down. */
    double z() {
      return z;
    }

    /** (mean of the oldest fifth of blocks - mean of the newest fifth) / |oldest|. */
    double relativeImprovement() {
      return relativeImprovement;
    }

    int window() {
      return means.capacity() * blockSize;
    }

    void reset() {
      means.clear();
      s = 0;
      blockSum = 0;
      inBlock = 0;
      z = Double.NaN;
      relativeImprovement = Double.NaN;
    }

    private static int sign(double d) {
      return d > 0 ? 1 : d < 0 ? -1 : 0;
    }

    private void recompute() {
      int n = means.size();
      z = s > 0 ? (s - 1) / Math.sqrt(varS) : s < 0 ? (s + 1) / Math.sqrt(varS) : 0;
      int k = Math.max(1, n / 5);
      double first = means.mean(0, k);
      double last = means.mean(n - k, n);
      relativeImprovement = first == 0 ? 0 : (first - last) / Math.abs(first);
    }
  }
}
