package dev.traininghealth.agent.probe;

import java.nio.Buffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Sums of squares of every segment of flat parameter-shaped vectors, reduced where the data
 * lives: one pass over the host buffers on the CPU backend, one ND4J reduction per segment on
 * the device otherwise (only scalars cross to the host). Used from the training thread only.
 */
public final class SegmentNorms {
  private final boolean host;
  private final SumOfSquares squares = new SumOfSquares();
  // NIO views of the last host buffers seen. DL4J keeps the flattened gradient and parameters
  // in the same buffers for the whole run, and wrapping one costs a JNI call per iteration.
  private final HostView viewA = new HostView();
  private final HostView viewB = new HostView();
  // Inputs and labels: new arrays for every batch unless the data pipeline reuses them.
  private final HostView viewBatchA = new HostView();
  private final HostView viewBatchB = new HostView();
  private boolean batchSlotB;
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
    sumsOfSquares(flat, null, layout, out, null);
  }

  /**
   * Sums of squares of {@code a} into {@code outA} and of {@code b} (same layout, may be null)
   * into {@code outB}; on the host both in one pass.
   */
  public void sumsOfSquares(INDArray a, INDArray b, ParamLayout layout, double[] outA,
      double[] outB) {
    if (onHost(a, layout) && (b == null || onHost(b, layout) && b.dataType() == a.dataType())) {
      Buffer nioA = viewA.of(a.data());
      Buffer nioB = b == null ? null : viewB.of(b.data());
      int baseA = (int) a.offset();
      int baseB = b == null ? 0 : (int) b.offset();
      if (a.dataType() == DataType.FLOAT) {
        squares.segments((FloatBuffer) nioA, baseA, (FloatBuffer) nioB, baseB, layout.starts(),
            layout.lengths(), outA, outB);
      } else {
        squares.segments((DoubleBuffer) nioA, baseA, (DoubleBuffer) nioB, baseB,
            layout.starts(), layout.lengths(), outA, outB);
      }
      return;
    }
    perSegment(a, layout, outA);
    if (b != null) {
      perSegment(b, layout, outB);
    }
  }

  /**
   * Whether every element of {@code a} is finite. On the host this is a sum of squares in one
   * pass (finite exactly when no element is NaN or infinite, even for huge values); on the device
   * one {@code sumNumber()} reduction.
   */
  public boolean allFinite(INDArray a) {
    DataType t = a.dataType();
    long n = a.length();
    if (host && n > 0 && a.elementWiseStride() == 1 && (t == DataType.FLOAT || t == DataType.DOUBLE)
        && a.offset() + n <= Integer.MAX_VALUE) {
      // The elements of an array with element-wise stride 1 lie next to each other in its
      // buffer, whatever its shape and order, and a sum of squares ignores the order.
      wholeStart[0] = 0;
      wholeLength[0] = n;
      Buffer nio = batchView(a.data());
      if (t == DataType.FLOAT) {
        squares.segments((FloatBuffer) nio, (int) a.offset(), null, 0, wholeStart, wholeLength,
            wholeOut, null);
      } else {
        squares.segments((DoubleBuffer) nio, (int) a.offset(), null, 0, wholeStart, wholeLength,
            wholeOut, null);
      }
      return Double.isFinite(wholeOut[0]);
    }
    return Double.isFinite(a.sumNumber().doubleValue());
  }

  private Buffer batchView(DataBuffer data) {
    if (viewBatchA.holds(data)) {
      return viewBatchA.of(data);
    }
    if (viewBatchB.holds(data)) {
      return viewBatchB.of(data);
    }
    batchSlotB = !batchSlotB;
    return (batchSlotB ? viewBatchB : viewBatchA).of(data);
  }

  private boolean onHost(INDArray flat, ParamLayout layout) {
    DataType t = flat.dataType();
    return host && flat.length() == layout.total() && flat.elementWiseStride() == 1
        && (t == DataType.FLOAT || t == DataType.DOUBLE)
        && flat.offset() + flat.length() <= Integer.MAX_VALUE;
  }

  private static void perSegment(INDArray flat, ParamLayout layout, double[] out) {
    for (int i = 0; i < layout.size(); i++) {
      long s = layout.starts()[i];
      INDArray seg =
          flat.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(s, s + layout.lengths()[i]));
      double n = seg.norm2Number().doubleValue();
      out[i] = n * n;
    }
  }

  /** The NIO view of one DataBuffer, made again only when the array's buffer changes. */
  private static final class HostView {
    private DataBuffer buffer;
    private long address;
    private Buffer view;

    boolean holds(DataBuffer data) {
      return data == buffer;
    }

    Buffer of(DataBuffer data) {
      long addr = data.address();
      if (data != buffer || addr != address || view == null) {
        view = data.dataType() == DataType.FLOAT ? data.asNioFloat() : data.asNioDouble();
        buffer = data;
        address = addr;
      }
      return view;
    }
  }
}
