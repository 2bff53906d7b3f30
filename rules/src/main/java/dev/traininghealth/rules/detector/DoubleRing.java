package dev.traininghealth.rules.detector;

import java.util.Arrays;

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

  /** The median, using {@code scratch} (at least {@code capacity} long) as working space. */
  double median(double[] scratch) {
    if (size == 0) {
      return Double.NaN;
    }
    for (int i = 0; i < size; i++) {
      scratch[i] = get(i);
    }
    // Sorting at most a few hundred values is fast enough at the rate medians are refreshed.
    Arrays.sort(scratch, 0, size);
    int h = size / 2;
    return size % 2 == 1 ? scratch[h] : 0.5 * (scratch[h - 1] + scratch[h]);
  }
}
