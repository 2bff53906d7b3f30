package dev.traininghealth.agent.probe;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * One pass over a host buffer: the sum of squares of each segment, accumulated so that float
 * data keeps double accuracy (ND4J's float {@code norm2Number()} drifted by up to 8e-4 relative
 * on large gradients; see ANCHORS.md).
 *
 * <p>Floats are squared and summed in eight independent float lanes over short blocks (so the CPU
 * can pipeline them and the float error stays within a block), and each block's sum is added in
 * double. A NaN or infinity anywhere makes its segment's sum non-finite, so non-finite values
 * cost nothing to notice; counting them is a second pass, only when one was seen.
 */
public final class SumOfSquares {
  private static final int BLOCK = 256;

  private SumOfSquares() {}

  /**
   * Sums of squares of {@code buf[base + starts[i] .. base + starts[i] + lengths[i])} into
   * {@code out[i]}.
   */
  public static void segments(FloatBuffer buf, long base, long[] starts, long[] lengths,
      double[] out) {
    for (int s = 0; s < starts.length; s++) {
      out[s] = sum(buf, (int) (base + starts[s]), (int) lengths[s]);
    }
  }

  /** Same for double data. */
  public static void segments(DoubleBuffer buf, long base, long[] starts, long[] lengths,
      double[] out) {
    for (int s = 0; s < starts.length; s++) {
      int from = (int) (base + starts[s]);
      int to = from + (int) lengths[s];
      double a0 = 0;
      double a1 = 0;
      double a2 = 0;
      double a3 = 0;
      int i = from;
      for (; i + 3 < to; i += 4) {
        double x0 = buf.get(i);
        double x1 = buf.get(i + 1);
        double x2 = buf.get(i + 2);
        double x3 = buf.get(i + 3);
        a0 += x0 * x0;
        a1 += x1 * x1;
        a2 += x2 * x2;
        a3 += x3 * x3;
      }
      for (; i < to; i++) {
        double x = buf.get(i);
        a0 += x * x;
      }
      out[s] = (a0 + a1) + (a2 + a3);
    }
  }

  static double sum(FloatBuffer buf, int from, int length) {
    int to = from + length;
    double total = 0;
    int i = from;
    while (i + 8 <= to) {
      int blockEnd = Math.min(to, i + BLOCK) - 7;
      float a0 = 0;
      float a1 = 0;
      float a2 = 0;
      float a3 = 0;
      float a4 = 0;
      float a5 = 0;
      float a6 = 0;
      float a7 = 0;
      for (; i < blockEnd; i += 8) {
        float x0 = buf.get(i);
        float x1 = buf.get(i + 1);
        float x2 = buf.get(i + 2);
        float x3 = buf.get(i + 3);
        float x4 = buf.get(i + 4);
        float x5 = buf.get(i + 5);
        float x6 = buf.get(i + 6);
        float x7 = buf.get(i + 7);
        a0 += x0 * x0;
        a1 += x1 * x1;
        a2 += x2 * x2;
        a3 += x3 * x3;
        a4 += x4 * x4;
        a5 += x5 * x5;
        a6 += x6 * x6;
        a7 += x7 * x7;
      }
      total += (double) ((a0 + a1) + (a2 + a3)) + (double) ((a4 + a5) + (a6 + a7));
    }
    for (; i < to; i++) {
      double x = buf.get(i);
      total += x * x;
    }
    if (Double.isInfinite(total)) {
      // A float lane overflowed (|x| > 1.8e19) although the values may all be finite: redo it
      // in double, which is rare and only happens on runs that are exploding anyway.
      total = 0;
      for (int j = from; j < to; j++) {
        double x = buf.get(j);
        total += x * x;
      }
    }
    return total;
  }
}
