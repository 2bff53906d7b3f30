package dev.traininghealth.agent.curvature;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.Random;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Measures the error of the central-difference Hessian-vector product against the exact Hessian
 * (float64 oracle) over a range of relative steps, in float64 and float32, prints the table and
 * checks that the defaults sit near the best.
 */
class EpsilonChoiceTest {
  private static final double[] EPS = {
    1e-1, 3e-2, 1e-2, 3e-3, 1e-3, 3e-4, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8
  };

  private static double relativeError(
      MultiLayerNetwork net, DataSet batch, double[][] h, double eps, double[] v) {
    try (RunStateGuard guard = RunStateGuard.open(net)) {
      net.setInput(batch.getFeatures());
      net.setLabels(batch.getLabels());
      HessianVectorProduct hvp =
          new HessianVectorProduct(
              net, guard.savedParams(), eps, batch.numExamples(), net.params().dup().reshape(-1));
      INDArray in = Nd4j.createFromArray(v).castTo(net.params().dataType());
      INDArray out = in.like();
      hvp.apply(in, out);
      double[] exact = ExactHessian.times(h, v);
      double[] got = out.toDoubleVector();
      double err = 0;
      double norm = 0;
      for (int i = 0; i < v.length; i++) {
        err += (got[i] - exact[i]) * (got[i] - exact[i]);
        norm += exact[i] * exact[i];
      }
      return Math.sqrt(err / norm);
    }
  }

  @Test
  void defaultStepsAreNearTheBestInBothPrecisions() {
    DataType savedType = Nd4j.dataType();
    DataType savedFloat = Nd4j.defaultFloatingPointType();
    try {
      Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
      MultiLayerNetwork net64 = TinyNets.tanhMlp(DataType.DOUBLE, 51);
      DataSet batch64 = TinyNets.regression(DataType.DOUBLE, 52, 50);
      double[][] h = ExactHessian.of(net64, batch64);
      MultiLayerNetwork net32 = net64.convertDataType(DataType.FLOAT);
      DataSet batch32 =
          new DataSet(
              batch64.getFeatures().castTo(DataType.FLOAT),
              batch64.getLabels().castTo(DataType.FLOAT));
      Random r = new Random(3);
      double[] v = new double[h.length];
      for (int i = 0; i < v.length; i++) {
        v[i] = r.nextGaussian() / Math.sqrt(v.length);
      }
      double best64 = Double.MAX_VALUE;
      double best32 = Double.MAX_VALUE;
      double at64 = Double.NaN;
      double at32 = Double.NaN;
      System.out.println("relative step   error float64   error float32");
      for (double eps : EPS) {
        double e64 = relativeError(net64, batch64, h, eps, v);
        double e32 = relativeError(net32, batch32, h, eps, v);
        System.out.printf(Locale.ROOT, "%9.0e        %9.2e       %9.2e%n", eps, e64, e32);
        best64 = Math.min(best64, e64);
        best32 = Math.min(best32, e32);
        if (eps == CurvatureProbe.DEFAULT_EPS_DOUBLE) {
          at64 = e64;
        }
        if (eps == CurvatureProbe.DEFAULT_EPS_FLOAT) {
          at32 = e32;
        }
      }
      assertTrue(at64 <= 10 * best64 && at64 < 1e-6, "float64 default " + at64 + ", best " + best64);
      assertTrue(at32 <= 3 * best32 && at32 < 1e-2, "float32 default " + at32 + ", best " + best32);
    } finally {
      Nd4j.setDefaultDataTypes(savedType, savedFloat);
    }
  }
}
