package dev.traininghealth.agent.curvature;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.agent.AgentConfig;
import dev.traininghealth.agent.CollectingSink;
import dev.traininghealth.agent.HealthListener;
import dev.traininghealth.rules.detector.Detector;
import dev.traininghealth.rules.detector.DetectorCatalog;
import dev.traininghealth.rules.detector.Finding;
import dev.traininghealth.rules.event.Curvature;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.zoo.HealthyMlp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The preconditioned sharpness of a healthy Adam run, measured by the real probe, through the
 * real edge-of-stability detector: Adam sits near or above its threshold 38/eta early in training
 * (coordinates with a tiny second moment get a large P^-1), so the warning must rest on the loss
 * rising as well, and a healthy run must never raise it.
 */
class AdamStabilityTest {
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void aHealthyAdamRunNeverLooksBeyondStability(long seed) {
    HealthyMlp job = new HealthyMlp();
    MultiLayerNetwork net = job.network(seed);
    CollectingSink sink = new CollectingSink();
    CurvatureTask task = CurvatureTask.builder().every(5).budgetShare(1e6).build();
    AgentConfig config = AgentConfig.builder().job("adam-" + seed).heartbeatIntervalMs(0).build();
    try (HealthListener listener = HealthListener.create(config, sink, task)) {
      net.addListeners(listener);
      net.fit(job.data(seed), 6);
    }
    // The shipped rule "beyond-stability" uses exactly these parameters.
    Detector beyond = DetectorCatalog.create("edge_of_stability",
        Map.of("min_ratio", 1.1, "require_loss_rising", true));
    Detector info = DetectorCatalog.create("edge_of_stability",
        Map.of("min_ratio", 0.0, "require_loss_rising", false));
    List<String> ratios = new ArrayList<>();
    int curvatures = 0;
    for (Event e : sink.events) {
      Finding f = beyond.onEvent(e);
      assertFalse(f.active(), "healthy Adam run flagged: " + f.evidence());
      Finding r = info.onEvent(e);
      if (e instanceof Curvature) {
        // The task's first estimate is a minimal one that measures the cost, without P^-1 H.
        assertTrue(curvatures++ == 0 || Double.isFinite(((Curvature) e).preconditionedMax()),
            e.toString());
        ratios.add(String.format("%d:%.3g(%.3g)", e.iter(), r.value(), ((Curvature) e).preconditionedMax()));
      }
    }
    assertTrue(curvatures >= 20, "estimates: " + curvatures);
    assertTrue(ratios.stream().skip(1).noneMatch(s -> s.endsWith("NaN")),
        "the detector read a ratio from every estimate: " + ratios);
    System.out.println("seed " + seed + " P^-1 H / (38/eta) by iteration: " + ratios);

    // The float32 estimate the agent publishes against an exhaustive float64 one on the same
    // state (the float64 path is checked against the exact oracle in
    // PreconditionedSharpnessOracleTest): in float32 the finite-difference Hessian-vector
    // products are far less precise, and P^-1/2 (up to 1/sqrt(eps) for dead units) amplifies
    // their error.
    org.nd4j.linalg.dataset.DataSet batch = job.data(seed).next();
    double f32 = CurvatureProbe.withDefaults().estimate(net, batch).preconditionedMax();
    org.nd4j.linalg.api.buffer.DataType savedType = org.nd4j.linalg.factory.Nd4j.dataType();
    org.nd4j.linalg.api.buffer.DataType savedFloat =
        org.nd4j.linalg.factory.Nd4j.defaultFloatingPointType();
    double f64;
    try {
      org.nd4j.linalg.factory.Nd4j.setDefaultDataTypes(org.nd4j.linalg.api.buffer.DataType.DOUBLE,
          org.nd4j.linalg.api.buffer.DataType.DOUBLE);
      MultiLayerNetwork wide = net.convertDataType(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
      wide.getUpdater().getStateViewArray()
          .assign(net.getUpdater().getStateViewArray().castTo(
              org.nd4j.linalg.api.buffer.DataType.DOUBLE));
      wide.setIterationCount(net.getIterationCount());
      org.nd4j.linalg.dataset.DataSet wideBatch = new org.nd4j.linalg.dataset.DataSet(
          batch.getFeatures().castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE),
          batch.getLabels().castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE));
      f64 = CurvatureProbe.builder().maxIterations(60).preconditionedIterations(60)
          .tolerance(1e-9).seed(7).build().estimate(wide, wideBatch).preconditionedMax();
    } finally {
      org.nd4j.linalg.factory.Nd4j.setDefaultDataTypes(savedType, savedFloat);
    }
    System.out.println("seed " + seed + " P^-1 H float32 default " + f32 + ", float64 " + f64);
    assertTrue(Math.abs(f32 - f64) <= 0.1 * f64, "float32 " + f32 + " vs float64 " + f64);
  }
}
