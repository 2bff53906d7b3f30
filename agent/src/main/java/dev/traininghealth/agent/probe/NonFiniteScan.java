package dev.traininghealth.agent.probe;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The slow path, taken only once a cheap check saw a NaN or infinity: counts them and finds the
 * first offending rows and columns of a batch, and fingerprints the batch so the user can find
 * it in their data. Works on a copy in host memory, which at that point is worth it.
 */
public final class NonFiniteScan {
  /** How many offending rows and columns are reported at most. */
  public static final int MAX_REPORTED = 10;

  private final long nan;
  private final long inf;
  private final List<Integer> rows;
  private final List<Integer> cols;

  private NonFiniteScan(long nan, long inf, List<Integer> rows, List<Integer> cols) {
    this.nan = nan;
    this.inf = inf;
    this.rows = rows;
    this.cols = cols;
  }

  /**
   * Scans {@code a}; for arrays of rank 2 or more, rows are the first dimension (examples) and
   * columns the second (features or channels).
   */
  public static NonFiniteScan of(INDArray a) {
    double[] v = a.dup('c').data().asDouble();
    long[] shape = a.shape();
    long rowSize = shape.length >= 2 ? v.length / Math.max(1, shape[0]) : v.length;
    long colStride = shape.length >= 3 ? rowSize / Math.max(1, shape[1]) : 1;
    long colCount = shape.length >= 2 ? shape[1] : v.length;
    long nan = 0;
    long inf = 0;
    List<Integer> rows = new ArrayList<>();
    boolean[] badCol = new boolean[(int) Math.min(colCount, 1 << 20)];
    for (int i = 0; i < v.length; i++) {
      double x = v[i];
      if (Double.isNaN(x)) {
        nan++;
      } else if (Double.isInfinite(x)) {
        inf++;
      } else {
        continue;
      }
      int row = (int) (shape.length >= 2 ? i / rowSize : 0);
      if (rows.size() < MAX_REPORTED && (rows.isEmpty() || rows.get(rows.size() - 1) != row)) {
        rows.add(row);
      }
      long col = shape.length >= 2 ? (i % rowSize) / colStride : i;
      if (col < badCol.length) {
        badCol[(int) col] = true;
      }
    }
    List<Integer> cols = new ArrayList<>();
    for (int c = 0; c < badCol.length && cols.size() < MAX_REPORTED; c++) {
      if (badCol[c]) {
        cols.add(c);
      }
    }
    return new NonFiniteScan(nan, inf, rows, cols);
  }

  public long nan() {
    return nan;
  }

  public long inf() {
    return inf;
  }

  public boolean any() {
    return nan + inf > 0;
  }

  /** First offending rows, ascending. */
  public List<Integer> rows() {
    return rows;
  }

  /** First offending columns, ascending. */
  public List<Integer> cols() {
    return cols;
  }

  /**
   * A 64-bit FNV-1a hash over the shapes and values of the arrays, in hex: the same batch gives
   * the same fingerprint in any run, so it can be looked up in the data.
   */
  public static String fingerprint(INDArray... arrays) {
    long h = 0xcbf29ce484222325L;
    for (INDArray a : arrays) {
      if (a == null) {
        continue;
      }
      for (long d : a.shape()) {
        h = (h ^ d) * 0x100000001b3L;
      }
      for (double x : a.dup('c').data().asDouble()) {
        long bits = Double.doubleToLongBits(x);
        for (int k = 0; k < 8; k++) {
          h = (h ^ ((bits >>> (8 * k)) & 0xff)) * 0x100000001b3L;
        }
      }
    }
    return String.format("%016x", h);
  }
}
