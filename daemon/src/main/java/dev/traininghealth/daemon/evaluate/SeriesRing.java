package dev.traininghealth.daemon.evaluate;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The last {@code capacity} iterations of one job (iteration, time, loss, gradient norm,
 * learning rate) in primitive arrays: a fixed few kilobytes per job however long it runs.
 */
final class SeriesRing {
  private final long[] iter;
  private final long[] ts;
  private final double[] loss;
  private final double[] gradNorm;
  private final double[] learningRate;
  private int next;
  private int size;

  SeriesRing(int capacity) {
    iter = new long[capacity];
    ts = new long[capacity];
    loss = new double[capacity];
    gradNorm = new double[capacity];
    learningRate = new double[capacity];
  }

  void add(long iteration, long timestamp, double l, double g, double lr) {
    iter[next] = iteration;
    ts[next] = timestamp;
    loss[next] = l;
    gradNorm[next] = g;
    learningRate[next] = lr;
    next = (next + 1) % iter.length;
    size = Math.min(size + 1, iter.length);
  }

  int size() {
    return size;
  }

  /** The newest {@code max} points, oldest first, one array per column. */
  JsonObject toJson(int max) {
    int n = Math.min(max, size);
    JsonArray i = new JsonArray();
    JsonArray t = new JsonArray();
    JsonArray l = new JsonArray();
    JsonArray g = new JsonArray();
    JsonArray r = new JsonArray();
    int start = Math.floorMod(next - n, iter.length);
    for (int k = 0; k < n; k++) {
      int p = (start + k) % iter.length;
      i.add(iter[p]);
      t.add(ts[p]);
      l.add(Json.number(loss[p]));
      g.add(Json.number(gradNorm[p]));
      r.add(Json.number(learningRate[p]));
    }
    return new JsonObject()
        .put("iter", i)
        .put("ts", t)
        .put("loss", l)
        .put("gradient_norm", g)
        .put("learning_rate", r);
  }
}
