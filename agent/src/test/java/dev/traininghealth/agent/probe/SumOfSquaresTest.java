package dev.traininghealth.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SumOfSquaresTest {
  // Segment lengths around the chunk size and the flush interval: empty, shorter than a chunk,
  // one chunk, one more, and long enough to flush several times with a partial last chunk.
  private static final long[] LENGTHS = {0, 7, SumOfSquares.CHUNK, SumOfSquares.CHUNK + 1,
      SumOfSquares.CHUNK * SumOfSquares.FLUSH_EVERY * 3 + 123, 1};

  private static long[] starts(int base) {
    long[] s = new long[LENGTHS.length];
    long at = base;
    for (int i = 0; i < s.length; i++) {
      s[i] = at;
      at += LENGTHS[i];
    }
    return s;
  }

  private static int total() {
    long t = 0;
    for (long l : LENGTHS) {
      t += l;
    }
    return (int) t;
  }

  private static FloatBuffer floats(int n, long seed, double scale) {
    FloatBuffer b = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
    Random r = new Random(seed);
    for (int i = 0; i < n; i++) {
      b.put(i, (float) (r.nextGaussian() * scale));
    }
    return b;
  }

  private static double[] reference(FloatBuffer b, int base, long[] starts) {
    double[] out = new double[starts.length];
    for (int s = 0; s < starts.length; s++) {
      for (long i = starts[s]; i < starts[s] + LENGTHS[s]; i++) {
        double x = b.get((int) (base + i));
        out[s] += x * x;
      }
    }
    return out;
  }

  @Test
  void floatSegmentsMatchADoubleReferenceAcrossChunkAndFlushBoundaries() {
    int base = 5; // the array starts inside its buffer, as a view does
    FloatBuffer a = floats(base + total() + 3, 1, 1e-2);
    long[] starts = starts(0);
    double[] out = new double[starts.length];
    new SumOfSquares().segments(a, base, starts, LENGTHS, out);
    double[] ref = reference(a, base, starts);
    for (int s = 0; s < out.length; s++) {
      assertEquals(ref[s], out[s], ref[s] * 1e-6, "segment " + s);
    }
    assertEquals(0.0, out[0], "an empty segment sums to 0");
  }

  @Test
  void oneInstanceGivesTheSameSumsForEveryBufferItIsHanded() {
    FloatBuffer a = floats(total(), 2, 1e-3);
    FloatBuffer b = floats(total() + 9, 3, 1.0);
    long[] starts = starts(0);
    SumOfSquares shared = new SumOfSquares();
    double[] sa = new double[starts.length];
    double[] sb = new double[starts.length];
    shared.segments(a, 0, starts, LENGTHS, sa);
    shared.segments(b, 9, starts, LENGTHS, sb);
    double[] fresh = new double[starts.length];
    new SumOfSquares().segments(b, 9, starts, LENGTHS, fresh);
    double[] refA = reference(a, 0, starts);
    for (int s = 0; s < starts.length; s++) {
      assertEquals(fresh[s], sb[s], 0.0, "no state carried over, segment " + s);
      assertEquals(refA[s], sa[s], refA[s] * 1e-6, "segment " + s);
    }
  }

  @Test
  void nanAndInfinityMakeOnlyTheirOwnSegmentNonFinite() {
    FloatBuffer a = floats(total(), 4, 1.0);
    long[] starts = starts(0);
    a.put((int) starts[2] + 100, Float.NaN);
    a.put((int) starts[4] + 40_000, Float.POSITIVE_INFINITY);
    double[] out = new double[starts.length];
    SumOfSquares squares = new SumOfSquares();
    squares.segments(a, 0, starts, LENGTHS, out);
    assertTrue(Double.isNaN(out[2]));
    assertEquals(Double.POSITIVE_INFINITY, out[4]);
    assertTrue(Double.isFinite(out[1]) && Double.isFinite(out[3]) && Double.isFinite(out[5]));

    // The accumulators start clean on the next call.
    a.put((int) starts[2] + 100, 0f);
    a.put((int) starts[4] + 40_000, 0f);
    squares.segments(a, 0, starts, LENGTHS, out);
    double[] ref = reference(a, 0, starts);
    assertEquals(ref[2], out[2], ref[2] * 1e-6);
    assertEquals(ref[4], out[4], ref[4] * 1e-6);
  }

  @Test
  void finiteValuesTooLargeToSquareInFloatStillGiveAFiniteSum() {
    FloatBuffer a = floats(total(), 5, 1.0);
    long[] starts = starts(0);
    a.put((int) starts[4] + 7, 3e19f); // its square overflows float, not double
    double[] out = new double[starts.length];
    new SumOfSquares().segments(a, 0, starts, LENGTHS, out);
    assertEquals(reference(a, 0, starts)[4], out[4], 9e38 * 1e-6);
  }

  @Test
  void doubleSegmentsMatchAPlainSum() {
    int n = total();
    DoubleBuffer a =
        ByteBuffer.allocateDirect(8 * n).order(ByteOrder.nativeOrder()).asDoubleBuffer();
    DoubleBuffer b =
        ByteBuffer.allocateDirect(8 * n).order(ByteOrder.nativeOrder()).asDoubleBuffer();
    Random r = new Random(6);
    for (int i = 0; i < n; i++) {
      a.put(i, r.nextGaussian());
      b.put(i, r.nextGaussian() * 1e-4);
    }
    long[] starts = starts(0);
    double[] oa = new double[starts.length];
    double[] ob = new double[starts.length];
    SumOfSquares squares = new SumOfSquares();
    squares.segments(a, 0, starts, LENGTHS, oa);
    squares.segments(b, 0, starts, LENGTHS, ob);
    for (int s = 0; s < starts.length; s++) {
      double ra = 0;
      double rb = 0;
      for (long i = starts[s]; i < starts[s] + LENGTHS[s]; i++) {
        ra += a.get((int) i) * a.get((int) i);
        rb += b.get((int) i) * b.get((int) i);
      }
      assertEquals(ra, oa[s], ra * 1e-12, "a, segment " + s);
      assertEquals(rb, ob[s], rb * 1e-12, "b, segment " + s);
    }
  }
}
