package dev.traininghealth.agent.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Adam's preconditioned sharpness lambda_max(P^-1 H) against an oracle that shares nothing with
 * the probe: the second moment v is re-derived here by replaying Adam's recursion on the exact
 * mean-loss gradients of each step (not read from DL4J's updater state), the Hessian comes from
 * {@link ExactHessian}, and the eigenvalues of P^-1/2 H P^-1/2 from its Jacobi solver. A wrong
 * scale of v (summed instead of mean gradients), a wrong bias correction, or a preconditioner laid
 * out against the wrong parameters (several updater blocks) each moves the answer far outside 1%.
 */
class PreconditionedSharpnessOracleTest {
  private static final double LR = 1e-2;
  private static final double BIAS_LR = 3e-3;
  private static final double BETA2 = 0.999;
  private static final double EPS = 1e-8;
  private static final int STEPS = 15;

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

  /**
   * A 3-6-2 tanh MLP under Adam. With {@code splitBlocks} the biases get their own Adam config,
   * so DL4J keeps four updater blocks (W1, b1, W2, b2) instead of one.
   */
  private static MultiLayerNetwork adamMlp(boolean splitBlocks) {
    NeuralNetConfiguration.Builder b =
        new NeuralNetConfiguration.Builder()
            .seed(11)
            .dataType(DataType.DOUBLE)
            .updater(new Adam(LR, 0.9, BETA2, EPS))
            .weightInit(WeightInit.XAVIER);
    if (splitBlocks) {
      b.biasUpdater(new Adam(BIAS_LR, 0.9, BETA2, EPS));
    }
    MultiLayerConfiguration conf =
        b.list()
            .layer(new DenseLayer.Builder().nIn(3).nOut(6).activation(Activation.TANH).build())
            .layer(
                new OutputLayer.Builder(LossFunctions.LossFunction.MSE)
                    .nIn(6)
                    .nOut(2)
                    .activation(Activation.IDENTITY)
                    .build())
            .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    net.params().muli(2.5);
    return net;
  }

  @ParameterizedTest(name = "split updater blocks: {0}")
  @ValueSource(booleans = {false, true})
  void matchesTheExactPreconditionedSpectrumWithinOnePercent(boolean splitBlocks) {
    MultiLayerNetwork net = adamMlp(splitBlocks);
    DataSet batch = TinyNets.regression(DataType.DOUBLE, 12, 40);
    int n = (int) net.numParams();
    double[] v = new double[n];
    for (int t = 0; t < STEPS; t++) {
      double[] g = ExactHessian.gradient(net, batch);
      for (int i = 0; i < n; i++) {
        v[i] = BETA2 * v[i] + (1 - BETA2) * g[i] * g[i];
      }
      net.fit(batch);
    }
    assertEquals(STEPS, net.getIterationCount());

    double correction = 1 - Math.pow(BETA2, STEPS);
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = 1 / Math.sqrt(Math.sqrt(v[i] / correction) + EPS);
    }
    double[][] h = ExactHessian.of(net, batch);
    double[][] dhd = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        dhd[i][j] = d[i] * h[i][j] * d[j];
      }
    }
    double[] exact = ExactHessian.eigenvalues(dhd);
    double exactMax = exact[n - 1];
    double[] plain = ExactHessian.eigenvalues(h);
    // The preconditioner matters here: P^-1 H is far from a multiple of H.
    assertTrue(exactMax > 10 * plain[n - 1], exactMax + " vs " + plain[n - 1]);

    CurvatureEstimate e =
        CurvatureProbe.builder()
            .maxIterations(n)
            .preconditionedIterations(n)
            .tolerance(1e-9)
            .seed(7)
            .build()
            .estimate(net, batch);
    assertEquals(exactMax, e.preconditionedMax(), 0.01 * exactMax, e.toString());
    assertEquals(plain[n - 1], e.lambdaMax(), 0.01 * plain[n - 1], e.toString());
  }

  @ParameterizedTest(name = "split updater blocks: {0}")
  @ValueSource(booleans = {false, true})
  void theDefaultBudgetNeverOverstatesAndGetsClose(boolean splitBlocks) {
    MultiLayerNetwork net = adamMlp(splitBlocks);
    DataSet batch = TinyNets.regression(DataType.DOUBLE, 12, 40);
    for (int t = 0; t < STEPS; t++) {
      net.fit(batch);
    }
    double exhaustive =
        CurvatureProbe.builder().maxIterations(38).preconditionedIterations(38).tolerance(1e-9)
            .seed(7).build().estimate(net, batch).preconditionedMax();
    double cheap = CurvatureProbe.withDefaults().estimate(net, batch).preconditionedMax();
    // Lanczos' Ritz values are lower bounds of lambda_max: a short run can only understate.
    assertTrue(cheap <= exhaustive * (1 + 1e-6), cheap + " > " + exhaustive);
    assertTrue(cheap >= 0.9 * exhaustive, "default budget: " + cheap + " of " + exhaustive);
  }
}
