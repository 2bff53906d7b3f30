package dev.traininghealth.rules.detector;

/**
 * The last {@code capacity} values of a series in a primitive array: no boxing and no allocation
 * after construction, so a detector's memory is fixed when it is built.
 */
final class DoubleRing {
  private final double[] data;
  private int next;
  private int size;

  DoubleRing(int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity must be > 0, got " + capacity);
    }
    this.data = new double[capacity];
  }

  /** Adds {@code v}; returns the value it pushed out, or NaN while the ring was not full. */
  double add(double v) {
    double out = size == data.length ? data[next] : Double.NaN;
    data[next] = v;
    next = next + 1 == data.length ? 0 : next + 1;
    if (size < data.length) {
      size++;
    }
    return out;
  }

  int size() {
    return size;
  }

  int capacity() {
    return data.length;
  }

  boolean full() {
    return size == data.length;
  }

  /** The {@code i}-th value, 0 being the oldest kept. */
  double get(int i) {
    int k = next - size + i;
    return data[k < 0 ? k + data.length : k];
  }

  double newest() {
    return get(size - 1);
  }

  void clear() {
    next = 0;
    size = 0;
  }

  /** Mean of the values {@code from} (inclusive) to {@code to} (exclusive), oldest = 0. */
  double mean(int from, int to) {
    double s = 0;
    for (int i = from; i < to; i++) {
      s += get(i);
    }
    return s / (to - from);
  }

  /** Copies the values, oldest first, into {@code dst} (at least {@link #size()} long). */
  void copyTo(double[] dst) {
    int start = next - size;
    if (start >= 0) {
      System.arraycopy(data, start, dst, 0, size);
    } else {
      int tail = -start;
      System.arraycopy(data, data.length - tail, dst, 0, tail);
      System.arraycopy(data, 0, dst, tail, next);
    }
  }

  /**
   * The median (upper median for an even count), using {@code scratch} (at least
   * {@code capacity} long) as working space: Hoare's selection, linear on average.
   */
  double median(double[] scratch) {
    if (size == 0) {
      return Double.NaN;
    }
    copyTo(scratch);
    return select(scratch, size, size / 2);
  }

  /** The k-th smallest of a[0..n), reordering a. */
  static double select(double[] a, int n, int k) {
    int lo = 0;
    int hi = n - 1;
    while (lo < hi) {
      double pivot = a[(lo + hi) >>> 1];
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (a[i] < pivot) {
          i++;
        }
        while (a[j] > pivot) {
          j--;
        }
        if (i <= j) {
          double t = a[i];
          a[i] = a[j];
          a[j] = t;
          i++;
          j--;
        }
      }
      if (k <= j) {
        hi = j;
      } else if (k >= i) {
        lo = i;
      } else {
        return a[k];
      }
    }
    return a[k];
  }
}
