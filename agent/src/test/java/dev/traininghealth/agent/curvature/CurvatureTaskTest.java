package dev.traininghealth.agent.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.agent.AgentConfig;
import dev.traininghealth.agent.BoundaryTask;
import dev.traininghealth.agent.HealthListener;
import dev.traininghealth.agent.transport.EventSink;
import dev.traininghealth.rules.event.Curvature;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.Heartbeat;
import dev.traininghealth.zoo.HealthyGraph;
import dev.traininghealth.zoo.HealthyMlp;
import dev.traininghealth.zoo.Saddle;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The curvature probe as the agent runs it: inside fit's iterationDone, through the listener. */
class CurvatureTaskTest {
  private static final AgentConfig CONFIG =
      AgentConfig.builder().job("curvature-test").heartbeatIntervalMs(0).build();
  /** Tiny nets step in about a millisecond; a generous share lets every estimate run. */
  private static final double AMPLE_BUDGET = 1e6;

  private static final class Sink implements EventSink {
    final List<Event> events = new CopyOnWriteArrayList<>();

    @Override
    public boolean offer(Event event) {
      events.add(event);
      return true;
    }

    @Override
    public long dropped() {
      return 0;
    }

    @Override
    public void close() {}

    <T extends Event> List<T> ofType(Class<T> type) {
      return events.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
    }
  }

  private static Sink train(
      MultiLayerNetwork net, DataSetIterator data, int epochs, BoundaryTask... tasks) {
    Sink sink = new Sink();
    try (HealthListener listener = HealthListener.create(CONFIG, sink, tasks)) {
      net.addListeners(listener);
      net.fit(data, epochs);
    }
    return sink;
  }

  @Test
  void emitsOneCurvatureEventEveryNIterations() {
    HealthyMlp job = new HealthyMlp();
    MultiLayerNetwork net = job.network(3);
    CurvatureTask task = CurvatureTask.builder().every(4).budgetShare(AMPLE_BUDGET).build();
    Sink sink = train(net, job.data(3), 1, task);

    List<Curvature> events = sink.ofType(Curvature.class);
    int iterations = net.getIterationCount();
    assertEquals(20, iterations);
    assertEquals(
        List.of(4L, 8L, 12L, 16L),
        events.stream().map(e -> e.header().iter()).collect(Collectors.toList()));
    for (Curvature e : events) {
      assertTrue(e.lambdaMax() > 0 && Double.isFinite(e.lambdaMax()), "lambdaMax " + e.lambdaMax());
      assertTrue(e.lambdaMin() <= e.lambdaMax());
      assertTrue(Double.isFinite(e.residualMax()) && Double.isFinite(e.residualMin()));
      assertTrue(Double.isFinite(e.preconditionedMax()) || e.iterations() == 3, "Adam: P^-1 H");
      assertTrue(Double.isNaN(e.trace()), "trace off by default");
      assertEquals(32, e.batchSize());
      assertTrue(e.gradientEvaluations() >= 2 * e.iterations() && e.gradientEvaluations() <= 40);
      assertTrue(e.costMs() > 0);
    }
    assertEquals(4, task.estimates());
    assertEquals(0, task.skipped());
    assertNotNull(task.latest().vectorMin());
    assertEquals(net.numParams(), task.latest().vectorMin().length());
    assertEquals(16, task.latestIteration());
  }

  @Test
  void parametersAndUpdaterAreBitIdenticalWithTheProbeOnAndOff() {
    HealthyMlp job = new HealthyMlp();
    MultiLayerNetwork off = job.network(7);
    train(off, job.data(7), 2);
    MultiLayerNetwork on = job.network(7);
    CurvatureTask task =
        CurvatureTask.builder().every(3).budgetShare(AMPLE_BUDGET).trace(true).build();
    Sink sink = train(on, job.data(7), 2, task);

    assertFalse(sink.ofType(Curvature.class).isEmpty());
    assertTrue(Double.isFinite(sink.ofType(Curvature.class).get(1).trace()), "trace on");
    assertTrue(off.params().equalsWithEps(on.params(), 0.0), "parameters bit-identical");
    assertTrue(
        off.getUpdater()
            .getStateViewArray()
            .equalsWithEps(on.getUpdater().getStateViewArray(), 0.0),
        "updater state bit-identical");
  }

  /** Saddle's ground truth: lambda = +-2||c||, c = E[y x], and 2 from the output bias. */
  @Test
  void findsTheSaddleWithTheRightSignsAndMagnitudes() {
    Saddle job = new Saddle();
    long seed = 2;
    DataSet data = Saddle.centredData(seed);
    double[][] x = data.getFeatures().toDoubleMatrix();
    double[] y = data.getLabels().toDoubleVector();
    double[] c = new double[x[0].length];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < c.length; j++) {
        c[j] += y[i] * x[i][j] / x.length;
      }
    }
    double norm = 0;
    for (double cj : c) {
      norm += cj * cj;
    }
    double expected = 2 * Math.sqrt(norm);
    assertTrue(expected > 2, "this seed's saddle has lambda_min = -lambda_max");

    MultiLayerNetwork net = job.network(seed);
    CurvatureTask task = CurvatureTask.builder().every(2).budgetShare(AMPLE_BUDGET).build();
    Sink sink = train(net, job.data(seed), 7, task);

    List<Curvature> events = sink.ofType(Curvature.class);
    assertEquals(3, events.size());
    // The first budgeted estimate is a 3-iteration one that measures the cost; the later ones
    // are full and must be right to 1%.
    for (Curvature e : events.subList(1, events.size())) {
      assertEquals(expected, e.lambdaMax(), 0.01 * expected, e.toString());
      assertEquals(-expected, e.lambdaMin(), 0.01 * expected, e.toString());
      assertEquals(64, e.batchSize());
    }
    assertTrue(events.get(0).lambdaMin() < 0 && events.get(0).lambdaMax() > 0);
  }

  @Test
  void skipsWhenTheBudgetIsTooShortAndSaysSoOnce() {
    HealthyMlp job = new HealthyMlp();
    MultiLayerNetwork net = job.network(4);
    CurvatureTask task = CurvatureTask.builder().every(2).budgetShare(1e-6).build();
    Sink sink = train(net, job.data(4), 1, task);

    // The first estimate is the minimal one that measures the cost; every later one is skipped.
    List<Curvature> events = sink.ofType(Curvature.class);
    assertEquals(1, events.size());
    assertEquals(3, events.get(0).iterations());
    assertEquals(8, task.skipped(), "iterations 4, 6, ..., 18");
    assertTrue(task.lastSkipReason().contains("budget"), task.lastSkipReason());
    List<Heartbeat> degraded =
        sink.ofType(Heartbeat.class).stream()
            .filter(h -> h.phase().equals("degraded"))
            .collect(Collectors.toList());
    assertEquals(1, degraded.size(), "reported once");
    assertTrue(degraded.get(0).message().contains("skipped"), degraded.get(0).message());
    assertEquals(2, task.latestIteration(), "the latest estimate is the one that ran");
  }

  /** Ten examples in batches of four: 4, 4, 2, 4, 4, 2, ... */
  private static DataSetIterator unevenBatches() {
    DataSet all = new HealthyMlp().data(5).next();
    List<DataSet> examples = all.asList().subList(0, 10);
    return new ListDataSetIterator<>(examples, 4);
  }

  @Test
  void firstBatchModeProbesACopyOfTheFirstBatch() {
    HealthyMlp job = new HealthyMlp();
    CurvatureTask first =
        CurvatureTask.builder()
            .every(1)
            .batch(CurvatureTask.BatchChoice.FIRST)
            .budgetShare(AMPLE_BUDGET)
            .build();
    Sink firstSink = train(job.network(5), unevenBatches(), 2, first);
    CurvatureTask current = CurvatureTask.builder().every(1).budgetShare(AMPLE_BUDGET).build();
    Sink currentSink = train(job.network(5), unevenBatches(), 2, current);

    assertEquals(List.of(4, 4, 4, 4, 4), batchSizes(firstSink));
    assertEquals(List.of(4, 2, 4, 4, 2), batchSizes(currentSink));
  }

  private static List<Integer> batchSizes(Sink sink) {
    return sink.ofType(Curvature.class).stream()
        .map(Curvature::batchSize)
        .collect(Collectors.toList());
  }

  @Test
  void readsItsOptionsFromTheAgentConfig() {
    AgentConfig config =
        AgentConfig.fromMap(
            Map.of(
                "curvature.every", "250",
                "curvature.batch", "first",
                "curvature.budget", "0.02",
                "curvature.trace", "true"));
    assertEquals(250, config.curvatureEvery());
    assertEquals("first", config.curvatureBatch());
    assertEquals(0.02, config.curvatureBudget());
    assertTrue(config.curvatureTrace());
    assertEquals("250", config.describe().get("curvature.every"));
    assertEquals(250, CurvatureTask.from(config).every());
    assertEquals(CurvatureProbe.DEFAULT_EVERY, AgentConfig.defaults().curvatureEvery());
    assertEquals(0, AgentConfig.fromMap(Map.of("curvature.every", "0")).curvatureEvery());
    IllegalArgumentException bad =
        assertThrows(
            IllegalArgumentException.class,
            () -> AgentConfig.fromMap(Map.of("curvature.batch", "last")));
    assertTrue(bad.getMessage().contains("curvature.batch"), bad.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> AgentConfig.fromMap(Map.of("curvature.budget", "0")));
    assertThrows(
        IllegalArgumentException.class,
        () -> AgentConfig.fromMap(Map.of("curvature.trace", "yes")));
  }

  @Test
  void probesAComputationGraphWithoutChangingIt() {
    HealthyGraph job = new HealthyGraph();
    ComputationGraph off = job.graph(1);
    Sink offSink = new Sink();
    try (HealthListener listener = HealthListener.create(CONFIG, offSink)) {
      off.addListeners(listener);
      off.fit(job.data(1), 1);
    }
    ComputationGraph on = job.graph(1);
    CurvatureTask task = CurvatureTask.builder().every(3).budgetShare(AMPLE_BUDGET).build();
    Sink sink = new Sink();
    try (HealthListener listener = HealthListener.create(CONFIG, sink, task)) {
      on.addListeners(listener);
      on.fit(job.data(1), 1);
    }
    List<Curvature> events = sink.ofType(Curvature.class);
    assertFalse(events.isEmpty());
    for (Curvature e : events) {
      assertTrue(e.lambdaMax() > 0 && Double.isFinite(e.lambdaMax()), "lambdaMax " + e.lambdaMax());
    }
    assertTrue(off.params().equalsWithEps(on.params(), 0.0), "parameters bit-identical");
    assertTrue(
        off.getUpdater()
            .getStateViewArray()
            .equalsWithEps(on.getUpdater().getStateViewArray(), 0.0),
        "updater state bit-identical");
  }

  /** The same 20-64-3 network as a graph: same parameters, same batch, same estimate. */
  @Test
  void aGraphAndTheEquivalentNetworkHaveTheSameCurvature() {
    HealthyMlp job = new HealthyMlp();
    MultiLayerNetwork net = job.network(2);
    ComputationGraph graph =
        new ComputationGraph(
            new NeuralNetConfiguration.Builder()
                .updater(new Adam(1e-2))
                .graphBuilder()
                .addInputs("in")
                .addLayer(
                    "hidden",
                    new DenseLayer.Builder().nIn(20).nOut(64).activation(Activation.RELU).build(),
                    "in")
                .addLayer(
                    "out",
                    new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nIn(64)
                        .nOut(3)
                        .activation(Activation.SOFTMAX)
                        .build(),
                    "hidden")
                .setOutputs("out")
                .build());
    graph.init();
    graph.setParams(net.params().dup());
    DataSet batch = job.data(2).next();

    CurvatureEstimate a = CurvatureProbe.builder().seed(3).build().estimate(net, batch);
    CurvatureEstimate b =
        CurvatureProbe.builder()
            .seed(3)
            .build()
            .estimate(
                graph,
                new org.nd4j.linalg.dataset.MultiDataSet(batch.getFeatures(), batch.getLabels()));
    assertEquals(a.lambdaMax(), b.lambdaMax(), 1e-3 * Math.abs(a.lambdaMax()), a + " vs " + b);
    assertEquals(a.lambdaMin(), b.lambdaMin(), 1e-3 * Math.abs(a.lambdaMax()), a + " vs " + b);
    assertEquals(a.iterations(), b.iterations());
  }

  @Test
  void hasNoEstimateBeforeTheFirst() {
    CurvatureTask task = CurvatureTask.builder().every(10).build();
    assertNull(task.latest());
    assertEquals(-1, task.latestIteration());
  }
}
