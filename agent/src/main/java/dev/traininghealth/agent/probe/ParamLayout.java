package dev.traininghealth.agent.probe;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where each parameter (layer and key, e.g. {@code 0} / {@code W}) lies in a model's flattened
 * parameter or gradient vector. DL4J keeps both as one buffer with a view per variable, so one
 * pass over the buffer with these boundaries gives every per-layer figure at once.
 */
public final class ParamLayout {
  private final String[] layers;
  private final String[] params;
  private final long[] starts;
  private final long[] lengths;
  private final long total;

  private ParamLayout(List<String> layers, List<String> params, List<Long> starts,
      List<Long> lengths, long total) {
    int n = layers.size();
    this.layers = layers.toArray(new String[0]);
    this.params = params.toArray(new String[0]);
    this.starts = new long[n];
    this.lengths = new long[n];
    for (int i = 0; i < n; i++) {
      this.starts[i] = starts.get(i);
      this.lengths[i] = lengths.get(i);
    }
    this.total = total;
  }

  /**
   * The layout of {@code flat} given its per-variable views, keyed as DL4J keys them
   * ({@code layer_param}, e.g. {@code 0_W} or {@code dense1_b}). Returns null when a view is
   * not a contiguous slice of {@code flat}, in which case callers measure view by view.
   */
  public static ParamLayout of(INDArray flat, Map<String, INDArray> views) {
    List<String> ls = new ArrayList<>();
    List<String> ps = new ArrayList<>();
    List<Long> st = new ArrayList<>();
    List<Long> ln = new ArrayList<>();
    long base = flat.offset();
    for (Map.Entry<String, INDArray> e : views.entrySet()) {
      INDArray v = e.getValue();
      if (v == null || v.data() != flat.data() && !sameBuffer(v, flat)) {
        return null;
      }
      long start = v.offset() - base;
      if (start < 0 || start + v.length() > flat.length()) {
        return null;
      }
      String key = e.getKey();
      int cut = key.lastIndexOf('_');
      ls.add(cut > 0 ? key.substring(0, cut) : key);
      ps.add(cut > 0 ? key.substring(cut + 1) : "");
      st.add(start);
      ln.add(v.length());
    }
    // Views are listed in whatever order DL4J built its map (backprop fills gradients from the
    // last layer); events list segments in network order, which is their order in the buffer.
    Integer[] order = new Integer[st.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> Long.compare(st.get(a), st.get(b)));
    List<String> ls2 = new ArrayList<>();
    List<String> ps2 = new ArrayList<>();
    List<Long> st2 = new ArrayList<>();
    List<Long> ln2 = new ArrayList<>();
    for (int i : order) {
      ls2.add(ls.get(i));
      ps2.add(ps.get(i));
      st2.add(st.get(i));
      ln2.add(ln.get(i));
    }
    return new ParamLayout(ls2, ps2, st2, ln2, flat.length());
  }

  private static boolean sameBuffer(INDArray a, INDArray b) {
    return a.data().originalDataBuffer() == b.data().originalDataBuffer()
        || a.data().originalDataBuffer() == b.data()
        || a.data() == b.data().originalDataBuffer();
  }

  public int size() {
    return layers.length;
  }

  public String layer(int i) {
    return layers[i];
  }

  public String param(int i) {
    return params[i];
  }

  long[] starts() {
    return starts;
  }

  long[] lengths() {
    return lengths;
  }

  /** Length of the flat vector this layout was made for. */
  public long total() {
    return total;
  }

  /** Index of the segment holding flat position {@code pos}, or -1. */
  public int segmentOf(long pos) {
    for (int i = 0; i < starts.length; i++) {
      if (pos >= starts[i] && pos < starts[i] + lengths[i]) {
        return i;
      }
    }
    return -1;
  }
}
