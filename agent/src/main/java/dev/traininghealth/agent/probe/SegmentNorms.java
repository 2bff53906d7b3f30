package dev.traininghealth.agent.probe;

import java.nio.Buffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Sums of squares of every segment of a flat parameter-shaped vector, reduced where the data
 * lives: one pass over the host buffer on the CPU backend, one ND4J reduction per segment on
 * the device otherwise (only scalars cross to the host). Used from the training thread only.
 */
public final class SegmentNorms {
  private final boolean host;
  private final SumOfSquares squares = new SumOfSquares();
  private final HostViews views = new HostViews();
  private final long[] wholeStart = new long[1];
  private final long[] wholeLength = new long[1];
  private final double[] wholeOut = new double[1];

  /** @param host whether tensors live in host memory (the CPU backend) */
  public SegmentNorms(boolean host) {
    this.host = host;
  }

  /**
   * Fills {@code out} (one slot per segment of {@code layout}) with sums of squares of
   * {@code flat}; a non-finite slot means the segment holds NaN or infinity.
   */
  public void sumsOfSquares(INDArray flat, ParamLayout layout, double[] out) {
    if (flat.length() == layout.total() && hostContiguous(flat)) {
      hostPass(flat, layout.starts(), layout.lengths(), out);
      return;
    }
    for (int i = 0; i < layout.size(); i++) {
      long s = layout.starts()[i];
      INDArray seg =
          flat.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(s, s + layout.lengths()[i]));
      double n = seg.norm2Number().doubleValue();
      out[i] = n * n;
    }
  }

  /**
   * Whether every element of {@code a} is finite. On the host this is a sum of squares in one
   * pass (finite exactly when no element is NaN or infinite, even for huge values); on the device
   * one {@code sumNumber()} reduction.
   */
  public boolean allFinite(INDArray a) {
    if (a.length() > 0 && hostContiguous(a)) {
      // The elements of an array with element-wise stride 1 lie next to each other in its
      // buffer, whatever its shape and order, and a sum of squares ignores the order.
      wholeStart[0] = 0;
      wholeLength[0] = a.length();
      hostPass(a, wholeStart, wholeLength, wholeOut);
      return Double.isFinite(wholeOut[0]);
    }
    return Double.isFinite(a.sumNumber().doubleValue());
  }

  boolean hostContiguous(INDArray a) {
    DataType t = a.dataType();
    return host && a.elementWiseStride() == 1 && (t == DataType.FLOAT || t == DataType.DOUBLE)
        && a.offset() + a.length() <= Integer.MAX_VALUE;
  }

  private void hostPass(INDArray a, long[] starts, long[] lengths, double[] out) {
    Buffer nio = views.of(a.data());
    if (a.dataType() == DataType.FLOAT) {
      squares.segments((FloatBuffer) nio, (int) a.offset(), starts, lengths, out);
    } else {
      squares.segments((DoubleBuffer) nio, (int) a.offset(), starts, lengths, out);
    }
  }

  /**
   * NIO views of the last few host buffers seen, least recently used replaced first. DL4J keeps
   * the flattened gradient and parameters in the same buffers for the whole run, and wrapping a
   * buffer again costs a JNI call; inputs and labels may be new arrays every batch.
   */
  private static final class HostViews {
    private final DataBuffer[] buffers = new DataBuffer[4];
    private final long[] addresses = new long[4];
    private final Buffer[] views = new Buffer[4];
    private final long[] lastUse = new long[4];
    private long clock;

    Buffer of(DataBuffer data) {
      long address = data.address();
      int slot = 0;
      for (int i = 0; i < buffers.length; i++) {
        if (buffers[i] == data && addresses[i] == address) {
          slot = i;
          lastUse[slot] = ++clock;
          return views[slot];
        }
        if (lastUse[i] < lastUse[slot]) {
          slot = i;
        }
      }
      views[slot] = data.dataType() == DataType.FLOAT ? data.asNioFloat() : data.asNioDouble();
      buffers[slot] = data;
      addresses[slot] = address;
      lastUse[slot] = ++clock;
      return views[slot];
    }
  }
}
