package dev.traininghealth.agent.probe;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Sums of squares of every segment of a flat parameter-shaped vector, reduced where the data
 * lives: one pass over the host buffer on the CPU backend, one ND4J reduction per segment on
 * the device otherwise (only scalars cross to the host).
 */
public final class SegmentNorms {
  private final boolean host;

  /** @param host whether tensors live in host memory (the CPU backend) */
  public SegmentNorms(boolean host) {
    this.host = host;
  }

  /**
   * Fills {@code out} (one slot per segment of {@code layout}) with sums of squares of
   * {@code flat}; a non-finite slot means the segment holds NaN or infinity.
   */
  public void sumsOfSquares(INDArray flat, ParamLayout layout, double[] out) {
    if (host && flat.length() == layout.total() && flat.elementWiseStride() == 1) {
      DataType t = flat.dataType();
      if (t == DataType.FLOAT) {
        SumOfSquares.segments(
            flat.data().asNioFloat(), flat.offset(), layout.starts(), layout.lengths(), out);
        return;
      }
      if (t == DataType.DOUBLE) {
        SumOfSquares.segments(
            flat.data().asNioDouble(), flat.offset(), layout.starts(), layout.lengths(), out);
        return;
      }
    }
    for (int i = 0; i < layout.size(); i++) {
      long s = layout.starts()[i];
      INDArray seg =
          flat.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(s, s + layout.lengths()[i]));
      double n = seg.norm2Number().doubleValue();
      out[i] = n * n;
    }
  }
}
