package dev.traininghealth.rules.detector;

/**
 * Is the loss still going down? A Mann-Kendall trend test on block means of the last
 * {@code blocks * blockSize} losses.
 *
 * <p>Why block means: minibatch losses are autocorrelated (consecutive batches share weights and
 * often data order), which makes the plain Mann-Kendall test see trends in noise, since its
 * variance n(n-1)(2n+5)/18 assumes independent points. Averaging blocks of {@code blockSize}
 * consecutive losses leaves block means that are close to independent once the block is longer
 * than the correlation time (the same remedy as batch means in MCMC output analysis; Hamed and
 * Rao 1998 correct the variance instead). It also makes the test cheap: the statistic S over n
 * block means is updated once per block, in O(n) (the pairs of the block mean that leaves are
 * taken out, those of the one that enters put in), so the cost per loss is O(n / blockSize).
 */
final class BlockTrend {
  private final DoubleRing means;
  private final int blockSize;
  /** The standard deviation of S under no trend, sqrt(n(n-1)(2n+5)/18): fixed by n. */
  private final double sdS;
  private long s;
  private double blockSum;
  private int inBlock;
  private double z = Double.NaN;
  private double relativeImprovement = Double.NaN;

  BlockTrend(int blocks, int blockSize) {
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
    this.sdS = Math.sqrt(n * (n - 1) * (2 * n + 5) / 18.0);
  }

  /** Takes one finite loss; returns true when it completed a block and the test was redone. */
  boolean add(double loss) {
    blockSum += loss;
    if (++inBlock < blockSize) {
      return false;
    }
    double m = blockSum / blockSize;
    if (means.full()) {
      // The pairs of the oldest mean leave, those of the new one enter: one pass over the rest.
      double oldest = means.get(0);
      long d = 0;
      for (int j = 1; j < means.size(); j++) {
        double x = means.get(j);
        d += sign(m - x) - sign(x - oldest);
      }
      s += d;
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

  /**
   * (largest block mean - smallest) / |their mean|: how far the loss moved within the window.
   * Computed when asked (only rules that set {@code max_relative_spread} ask), not per block.
   */
  double relativeSpread() {
    int n = means.size();
    if (n == 0) {
      return Double.NaN;
    }
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      double x = means.get(i);
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    double mean = means.mean(0, n);
    return mean == 0 ? 0 : (max - min) / Math.abs(mean);
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

  /** 1, -1 or 0 (also for NaN); without branches, which random block means would mispredict. */
  private static int sign(double d) {
    return (d > 0 ? 1 : 0) - (d < 0 ? 1 : 0);
  }

  private void recompute() {
    int n = means.size();
    z = s > 0 ? (s - 1) / sdS : s < 0 ? (s + 1) / sdS : 0;
    int k = Math.max(1, n / 5);
    double first = means.mean(0, k);
    double last = means.mean(n - k, n);
    relativeImprovement = first == 0 ? 0 : (first - last) / Math.abs(first);
  }
}
