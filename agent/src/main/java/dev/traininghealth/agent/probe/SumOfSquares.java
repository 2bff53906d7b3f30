package dev.traininghealth.agent.probe;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * Sums of squares of every segment of a host buffer, in one pass.
 *
 * <p>A loop of {@code buf.get(i)} over a direct buffer is not vectorised by the JIT, so the data
 * is bulk-copied chunk by chunk into a small array that stays in L1, and squared into an array of
 * accumulators of the same size: a plain element-wise loop over two arrays, which C2 turns into
 * SIMD code. On the MLP's 1.86M floats that is about 0.3 ms a pass (data in cache) against
 * 0.6–1.3 ms for eight scalar lanes over {@code get(i)}. Each float accumulator sums at most
 * {@value #FLUSH_EVERY} squares before it is added in double, so float data keeps double accuracy
 * (ND4J's float {@code norm2Number()} drifted by up to 8e-4 relative on large gradients; see
 * ANCHORS.md).
 *
 * <p>Reading two buffers chunk by chunk in one loop measured slower than one pass after the other
 * (1.1 against 0.8–0.9 ms for two such vectors), so there is no fused variant. That was with
 * 4 KiB chunks (below); with 2 KiB ones, the update and the parameters in one loop took 0.52 ms
 * against 0.53 ms one after the other inside training (medians of 100), still not worth it.
 *
 * <p>A chunk is 2 KiB, not 4: the chunk and its accumulators are allocated one after the other,
 * and with 4 KiB arrays {@code acc[j]} lies 4 KiB plus an array header after {@code chunk[j]}.
 * Each store to the accumulators then shares its address bits 0–11 with a load from the chunk a
 * few elements ahead, which the CPU treats as a possible dependency and stalls on (4K aliasing).
 * Inside training on the MLP, passes over the gradient took 0.52–0.58 ms with 4 KiB chunks and
 * 0.30–0.32 ms with 2 KiB ones (medians of 60–80 passes, alternated in one run).
 *
 * <p>A NaN or infinity anywhere makes its segment's sum non-finite, so callers notice non-finite
 * values for free and count them in a second pass only when one was seen. Holds scratch arrays:
 * one instance per training thread, no allocation per call.
 */
public final class SumOfSquares {
  /** Floats per chunk: 2 KiB (see the class comment on 4K aliasing). */
  static final int CHUNK = 512;
  /** Doubles per chunk: the same 2 KiB. */
  static final int DOUBLE_CHUNK = 256;
  static final int FLUSH_EVERY = 32;

  private final float[] floatChunk = new float[CHUNK];
  private final float[] floatAcc = new float[CHUNK];
  private double[] doubleChunk;
  private double[] doubleAcc;

  /**
   * Sums of squares of {@code buf[base + starts[i] .. + lengths[i])} into {@code out[i]}; a
   * non-finite result means the segment holds NaN or infinity.
   */
  public void segments(FloatBuffer buf, int base, long[] starts, long[] lengths, double[] out) {
    for (int s = 0; s < starts.length; s++) {
      int from = base + (int) starts[s];
      int to = from + (int) lengths[s];
      double total = 0;
      int rounds = 0;
      int used = 0;
      for (int pos = from; pos < to; pos += CHUNK) {
        int n = Math.min(CHUNK, to - pos);
        // Relative bulk get: the absolute one is Java 13+, and this module targets 11.
        buf.position(pos);
        buf.get(floatChunk, 0, n);
        addSquares(floatChunk, floatAcc, n);
        used = Math.max(used, n);
        if (++rounds == FLUSH_EVERY) {
          total += drain(floatAcc, used);
          rounds = 0;
          used = 0;
        }
      }
      total += drain(floatAcc, used);
      if (Double.isInfinite(total)) {
        // A float accumulator overflowed (|x| > 1e18) although the values may all be finite:
        // redo it in double, which is rare and only happens on runs that are exploding anyway.
        total = 0;
        for (int i = from; i < to; i++) {
          double x = buf.get(i);
          total += x * x;
        }
      }
      out[s] = total;
    }
  }

  /** Same for double data, accumulated in double throughout. */
  public void segments(DoubleBuffer buf, int base, long[] starts, long[] lengths, double[] out) {
    if (doubleChunk == null) {
      doubleChunk = new double[DOUBLE_CHUNK];
      doubleAcc = new double[DOUBLE_CHUNK];
    }
    for (int s = 0; s < starts.length; s++) {
      int from = base + (int) starts[s];
      int to = from + (int) lengths[s];
      int used = 0;
      for (int pos = from; pos < to; pos += DOUBLE_CHUNK) {
        int n = Math.min(DOUBLE_CHUNK, to - pos);
        buf.position(pos);
        buf.get(doubleChunk, 0, n);
        addSquares(doubleChunk, doubleAcc, n);
        used = Math.max(used, n);
      }
      out[s] = drain(doubleAcc, used);
    }
  }

  private static void addSquares(float[] x, float[] acc, int n) {
    for (int j = 0; j < n; j++) {
      acc[j] += x[j] * x[j];
    }
  }

  private static void addSquares(double[] x, double[] acc, int n) {
    for (int j = 0; j < n; j++) {
      acc[j] += x[j] * x[j];
    }
  }

  /**
   * The sum of {@code acc[0 .. used)} in double; zeroes those slots. Eight running sums, not one
   * or two: each addition waits for the one before it in the same sum, and a drain is one
   * scalar addition per slot every {@value #FLUSH_EVERY} chunks. With two sums the drains took
   * about a sixth of a pass over the gradient inside training (0.32 against 0.27 ms median).
   */
  private static double drain(float[] acc, int used) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    double s4 = 0;
    double s5 = 0;
    double s6 = 0;
    double s7 = 0;
    int j = 0;
    for (; j + 7 < used; j += 8) {
      s0 += acc[j];
      s1 += acc[j + 1];
      s2 += acc[j + 2];
      s3 += acc[j + 3];
      s4 += acc[j + 4];
      s5 += acc[j + 5];
      s6 += acc[j + 6];
      s7 += acc[j + 7];
    }
    for (; j < used; j++) {
      s0 += acc[j];
    }
    java.util.Arrays.fill(acc, 0, used, 0f);
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
  }

  private static double drain(double[] acc, int used) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int j = 0;
    for (; j + 3 < used; j += 4) {
      s0 += acc[j];
      s1 += acc[j + 1];
      s2 += acc[j + 2];
      s3 += acc[j + 3];
    }
    for (; j < used; j++) {
      s0 += acc[j];
    }
    java.util.Arrays.fill(acc, 0, used, 0.0);
    return (s0 + s1) + (s2 + s3);
  }
}
