package dev.traininghealth.agent.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.zoo.BadLocalMinimum;
import dev.traininghealth.zoo.Saddle;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** The probe against the exact Hessian, on float64 nets of at most 100 parameters. */
class CurvatureOracleTest {
  private DataType savedType;
  private DataType savedFloatType;

  @BeforeEach
  void useDoubles() {
    savedType = Nd4j.dataType();
    savedFloatType = Nd4j.defaultFloatingPointType();
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
  }

  @AfterEach
  void restoreDefaults() {
    Nd4j.setDefaultDataTypes(savedType, savedFloatType);
  }

  private static CurvatureProbe exhaustive(long n) {
    return CurvatureProbe.builder().maxIterations((int) n).tolerance(1e-9).seed(7).build();
  }

  @Test
  void extremesOfAnIndefiniteHessianWithinOnePercent() {
    MultiLayerNetwork net = TinyNets.tanhMlp(DataType.DOUBLE, 11);
    DataSet batch = TinyNets.regression(DataType.DOUBLE, 12, 40);
    double[] exact = ExactHessian.eigenvalues(ExactHessian.of(net, batch));
    double lo = exact[0];
    double hi = exact[exact.length - 1];
    assertTrue(lo < -0.01 * hi, "the oracle says indefinite: " + lo + " .. " + hi);

    CurvatureEstimate e = exhaustive(net.numParams()).estimate(net, batch);
    assertEquals(hi, e.lambdaMax(), 0.01 * Math.abs(hi), e.toString());
    assertEquals(lo, e.lambdaMin(), 0.01 * Math.abs(lo), e.toString());
    assertEquals(40, e.batchSize());
    assertTrue(Double.isNaN(e.trace()) && Double.isNaN(e.preconditionedMax()));
  }

  @Test
  void ritzVectorsAreEigenvectorsOfTheExactHessian() {
    MultiLayerNetwork net = TinyNets.tanhMlp(DataType.DOUBLE, 21);
    DataSet batch = TinyNets.regression(DataType.DOUBLE, 22, 30);
    double[][] h = ExactHessian.of(net, batch);
    CurvatureEstimate e = exhaustive(net.numParams()).estimate(net, batch);
    for (boolean max : new boolean[] {true, false}) {
      double[] v = (max ? e.vectorMax() : e.vectorMin()).toDoubleVector();
      double lambda = max ? e.lambdaMax() : e.lambdaMin();
      double[] hv = ExactHessian.times(h, v);
      double r = 0;
      double norm = 0;
      for (int i = 0; i < v.length; i++) {
        r += (hv[i] - lambda * v[i]) * (hv[i] - lambda * v[i]);
        norm += v[i] * v[i];
      }
      assertEquals(1.0, norm, 1e-9);
      assertTrue(Math.sqrt(r) < 1e-3 * Math.abs(e.lambdaMax()), "residual " + Math.sqrt(r));
      assertTrue((max ? e.residualMax() : e.residualMin()) < 1e-3 * Math.abs(e.lambdaMax()));
    }
  }

  @Test
  void saddleFoundWithBothSigns() {
    MultiLayerNetwork net = new Saddle().network(1).convertDataType(DataType.DOUBLE);
    DataSet batch = Saddle.centredData(1);
    batch = new DataSet(batch.getFeatures().castTo(DataType.DOUBLE), batch.getLabels().castTo(DataType.DOUBLE));
    assertTrue(net.numParams() <= 100);
    double[] exact = ExactHessian.eigenvalues(ExactHessian.of(net, batch));
    double lo = exact[0];
    double hi = exact[exact.length - 1];
    assertEquals(-hi, lo, 1e-6 * hi, "lambda_min = -lambda_max at this saddle");
    assertTrue(hi > 2.5, "coupling beats the output bias' curvature 2: " + hi);

    CurvatureEstimate e = exhaustive(net.numParams()).estimate(net, batch);
    assertEquals(hi, e.lambdaMax(), 0.01 * hi, e.toString());
    assertEquals(lo, e.lambdaMin(), 0.01 * hi, e.toString());
    assertEquals(0.0, net.params().amaxNumber().doubleValue(), "left at w = 0");
  }

  @Test
  void saddleFoundWithBothSignsAtTheDefaultBudgetInFloat32() {
    Nd4j.setDefaultDataTypes(savedType, savedFloatType);
    MultiLayerNetwork net = new Saddle().network(1);
    CurvatureEstimate e = CurvatureProbe.withDefaults().estimate(net, Saddle.centredData(1));
    assertTrue(e.lambdaMax() > 2.5 && e.lambdaMin() < -2.5, e.toString());
    assertEquals(-e.lambdaMax(), e.lambdaMin(), 0.01 * e.lambdaMax(), e.toString());
    assertTrue(e.gradientEvaluations() <= 40, e.toString());
  }

  @Test
  void badLocalMinimumIsPositiveSemidefinite() {
    Nd4j.setDefaultDataTypes(savedType, savedFloatType);
    BadLocalMinimum job = new BadLocalMinimum();
    MultiLayerNetwork trained = job.run(5);
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    MultiLayerNetwork net = trained.convertDataType(DataType.DOUBLE);
    DataSet batch = BadLocalMinimum.points();
    batch = new DataSet(batch.getFeatures().castTo(DataType.DOUBLE), batch.getLabels().castTo(DataType.DOUBLE));
    double[] exact = ExactHessian.eigenvalues(ExactHessian.of(net, batch));
    double hi = exact[exact.length - 1];
    assertTrue(exact[0] > -1e-3 * hi, "oracle PSD: " + exact[0]);

    CurvatureEstimate e = exhaustive(net.numParams()).estimate(net, batch);
    assertEquals(hi, e.lambdaMax(), 0.01 * hi, e.toString());
    assertEquals(0.0, e.lambdaMin(), 1e-3 * hi, "lambda_min ~ 0: " + e);
  }

  @Test
  void traceMatchesTheExactTraceOnAverage() {
    MultiLayerNetwork net = TinyNets.tanhMlp(DataType.DOUBLE, 31);
    DataSet batch = TinyNets.regression(DataType.DOUBLE, 32, 30);
    double[][] h = ExactHessian.of(net, batch);
    double trace = 0;
    double frobenius = 0;
    for (int i = 0; i < h.length; i++) {
      trace += h[i][i];
      for (int j = 0; j < h.length; j++) {
        frobenius += h[i][j] * h[i][j];
      }
    }
    int samples = 200;
    CurvatureEstimate e =
        CurvatureProbe.builder().maxIterations(4).traceSamples(samples).seed(3).build()
            .estimate(net, batch);
    // Hutchinson with Rademacher vectors: variance 2 (||H||_F^2 - sum H_ii^2) / samples.
    double sd = Math.sqrt(2 * frobenius / samples);
    assertEquals(trace, e.trace(), 4 * sd, e.toString());
    assertEquals(2 * 4 + 2 * samples, e.gradientEvaluations());
  }

  @Test
  void leavesTheParametersOfAFloat64NetBitIdentical() {
    MultiLayerNetwork net = TinyNets.tanhMlp(DataType.DOUBLE, 41);
    INDArray before = net.params().dup();
    exhaustive(net.numParams()).estimate(net, TinyNets.regression(DataType.DOUBLE, 42, 10));
    assertEquals(before, net.params());
  }
}
