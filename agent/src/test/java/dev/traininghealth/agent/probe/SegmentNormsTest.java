package dev.traininghealth.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class SegmentNormsTest {
  /** A flat vector that is a view into a larger buffer, with two segments. */
  private static INDArray flatView(INDArray backing) {
    return backing.get(NDArrayIndex.point(0), NDArrayIndex.interval(3, 3 + 3000 + 17));
  }

  private static ParamLayout layout(INDArray flat) {
    Map<String, INDArray> views = new LinkedHashMap<>();
    views.put("1_b", flat.get(NDArrayIndex.interval(3000, 3017)));
    views.put("0_W", flat.get(NDArrayIndex.interval(0, 3000)));
    return ParamLayout.of(flat, views);
  }

  private static double sq(INDArray a) {
    double n = a.castTo(DataType.DOUBLE).norm2Number().doubleValue();
    return n * n;
  }

  @Test
  void hostPassMatchesNd4jOnAViewAndFollowsInPlaceChanges() {
    Nd4j.getRandom().setSeed(11);
    INDArray backingA = Nd4j.randn(DataType.FLOAT, 1, 3100);
    INDArray backingB = Nd4j.randn(DataType.FLOAT, 1, 3100).muli(1e-3);
    INDArray a = flatView(backingA);
    INDArray b = flatView(backingB);
    ParamLayout layout = layout(a);
    SegmentNorms norms = new SegmentNorms(true);
    double[] outA = new double[2];
    double[] outB = new double[2];

    for (int round = 0; round < 2; round++) {
      norms.sumsOfSquares(a, layout, outA);
      norms.sumsOfSquares(b, layout, outB);
      assertEquals(sq(a.get(NDArrayIndex.interval(0, 3000))), outA[0], outA[0] * 1e-6);
      assertEquals(sq(a.get(NDArrayIndex.interval(3000, 3017))), outA[1], outA[1] * 1e-6);
      assertEquals(sq(b.get(NDArrayIndex.interval(0, 3000))), outB[0], outB[0] * 1e-6);
      assertEquals(sq(b.get(NDArrayIndex.interval(3000, 3017))), outB[1], outB[1] * 1e-6);
      // Training rewrites the same buffers in place: the next call must see the new values.
      a.muli(2);
      b.addi(1);
    }
    INDArray other = flatView(Nd4j.ones(DataType.FLOAT, 1, 3100));
    norms.sumsOfSquares(other, layout, outA);
    assertEquals(3000.0, outA[0], 0.0, "a different array of the same size is read anew");
    assertEquals(17.0, outA[1], 0.0);
  }

  @Test
  void deviceStylePathGivesTheSameSums() {
    Nd4j.getRandom().setSeed(12);
    INDArray a = flatView(Nd4j.randn(DataType.FLOAT, 1, 3100));
    ParamLayout layout = layout(a);
    double[] host = new double[2];
    double[] device = new double[2];
    new SegmentNorms(true).sumsOfSquares(a, layout, host);
    new SegmentNorms(false).sumsOfSquares(a, layout, device);
    assertEquals(device[0], host[0], device[0] * 1e-5);
    assertEquals(device[1], host[1], device[1] * 1e-5);
  }

  @Test
  void finiteCheckSeesOnlyTheElementsOfTheArrayItIsGiven() {
    for (boolean host : new boolean[] {true, false}) {
      SegmentNorms norms = new SegmentNorms(host);
      INDArray m = Nd4j.rand(DataType.FLOAT, 5, 6);
      INDArray block = m.get(NDArrayIndex.interval(1, 3), NDArrayIndex.interval(1, 4));
      INDArray rows = m.get(NDArrayIndex.interval(1, 3), NDArrayIndex.all());
      m.putScalar(0, 0, Float.NaN);
      m.putScalar(1, 5, Float.POSITIVE_INFINITY); // in the rows, outside the block
      m.putScalar(4, 2, Float.NaN);
      assertTrue(norms.allFinite(block), "block, host " + host);
      assertFalse(norms.allFinite(rows), "rows, host " + host);
      assertFalse(norms.allFinite(m), "whole, host " + host);
      m.putScalar(2, 2, Float.NaN);
      assertFalse(norms.allFinite(block), "block with a NaN, host " + host);
    }
    SegmentNorms host = new SegmentNorms(true);
    INDArray huge = Nd4j.valueArrayOf(new long[] {3, 4}, 3e38f, DataType.FLOAT);
    assertTrue(host.allFinite(huge), "huge finite values overflow no sum of squares in double");
    assertTrue(host.allFinite(Nd4j.rand(DataType.DOUBLE, 3, 4)));
    assertTrue(host.allFinite(Nd4j.rand(DataType.FLOAT, 4, 3).transpose()), "f-order view");
  }
}
