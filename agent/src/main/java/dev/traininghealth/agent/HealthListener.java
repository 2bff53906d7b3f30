package dev.traininghealth.agent;

import dev.traininghealth.agent.curvature.CurvatureTask;
import dev.traininghealth.agent.action.ActionExecutor;
import dev.traininghealth.agent.probe.IterationProbe;
import dev.traininghealth.agent.probe.ModelInspector;
import dev.traininghealth.agent.probe.ProbeGuard;
import dev.traininghealth.agent.transport.EventSink;
import dev.traininghealth.agent.transport.KafkaEventSink;
import dev.traininghealth.agent.trend.LossTrendTask;
import dev.traininghealth.rules.event.Header;
import dev.traininghealth.rules.event.Heartbeat;
import dev.traininghealth.rules.event.JobFinished;
import dev.traininghealth.rules.event.JobStarted;
import dev.traininghealth.rules.event.Event;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The agent's DL4J listener: measures each iteration and hands events to an {@link EventSink}.
 * Add it by hand ({@code net.addListeners(HealthListener.create(config))}) or let the
 * {@code -javaagent} add it.
 *
 * <p>It never hurts the run it watches: every probe runs behind a {@link ProbeGuard}, which turns
 * a probe off after repeated failures and reports why in a {@code heartbeat} with phase
 * {@code degraded}; every callback catches everything else, and after {@value #MAX_FAILURES}
 * such failures the listener stops measuring and says so once on stderr.
 * {@link #close()} sends {@code job_finished} and flushes; call it when training is over.
 */
public final class HealthListener extends BaseTrainingListener implements AutoCloseable {
  static final int MAX_FAILURES = 10;
  /** The version reported in {@code job_started}. */
  public static final String VERSION = "0.1.0";

  private final AgentConfig config;
  private final EventSink sink;
  private final java.util.function.Consumer<Event> direct;
  private final String run = UUID.randomUUID().toString();
  private final AtomicLong seq = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ScheduledExecutorService heartbeats;
  private final List<BoundaryTask> tasks;
  private final Emitter emitter =
      new Emitter() {
        @Override
        public Header header(long iter, int epoch) {
          return HealthListener.this.header(iter, epoch);
        }

        @Override
        public void emit(Event event) {
          probe.emit(event, direct);
        }

        @Override
        public long dropped() {
          return sink.dropped();
        }
      };

  // Training-thread state.
  private boolean started;
  private long lastIterationNanos;
  private final ProbeGuard guard = new ProbeGuard();
  private final IterationProbe probe;
  private int failures;
  private volatile boolean disabled;

  // Read by the heartbeat thread.
  private volatile long lastIter;
  private volatile int currentEpoch;
  private volatile long lastIterationAtMs;

  private HealthListener(AgentConfig config, EventSink sink, List<BoundaryTask> tasks) {
    this.config = config;
    this.sink = sink;
    this.direct = sink::offer;
    this.tasks = List.copyOf(tasks);
    this.probe =
        new IterationProbe(config.probes(), "CPU".equals(ModelInspector.backend()), guard);
    if (config.heartbeatIntervalMs() > 0) {
      heartbeats =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "training-health-heartbeat");
                t.setDaemon(true);
                return t;
              });
      heartbeats.scheduleAtFixedRate(
          this::heartbeat,
          config.heartbeatIntervalMs(),
          config.heartbeatIntervalMs(),
          TimeUnit.MILLISECONDS);
    } else {
      heartbeats = null;
    }
  }

  /**
   * A listener that sends to the Kafka brokers of {@code config}, with the curvature probe when
   * {@code curvature.every > 0}, the loss-trend task when {@code trend.window} is not 0, and the
   * action executor when commands are enabled.
   */
  public static HealthListener create(AgentConfig config) {
    EventSink sink =
        KafkaEventSink.create(
            config.bootstrapServers(),
            config.topic(),
            config.queueCapacity(),
            config.closeTimeoutMs(),
            config.kafka());
    java.util.List<BoundaryTask> tasks = new java.util.ArrayList<>();
    if (config.trendWindow() > 0) {
      tasks.add(LossTrendTask.withWindow(config.trendWindow()));
    }
    CurvatureTask curvature = config.curvatureEvery() > 0 ? CurvatureTask.from(config) : null;
    if (curvature != null) {
      tasks.add(curvature);
    }
    if (config.actions().enabled()) {
      // curvature_step needs the probe's latest estimate; without the probe it fails with a reason.
      tasks.add(ActionExecutor.start(config, curvature == null ? null : curvature::latest));
    }
    return create(config, sink, tasks.toArray(new BoundaryTask[0]));
  }

  /**
   * A listener that hands its events to {@code sink} and runs {@code tasks}, in order, at every
   * iteration boundary after its own measurements.
   */
  public static HealthListener create(AgentConfig config, EventSink sink, BoundaryTask... tasks) {
    return new HealthListener(config, sink, Arrays.asList(tasks));
  }

  public AgentConfig config() {
    return config;
  }

  /** This run's id: new for every listener, so a restarted process is a new run. */
  public String run() {
    return run;
  }

  /** Events lost so far. */
  public long dropped() {
    return sink.dropped();
  }

  private Header header(long iter, int epoch) {
    return Header.of(
        config.job(), run, seq.getAndIncrement(), System.currentTimeMillis(), iter, epoch,
        config.worker());
  }

  @Override
  public void onGradientCalculation(Model model) {
    if (disabled) {
      return;
    }
    try {
      probe.onGradient(model, direct);
    } catch (Throwable t) {
      fail(t);
    }
  }

  @Override
  public void onForwardPass(Model model, List<INDArray> activations) {
    forwardPassDone();
  }

  @Override
  public void onForwardPass(Model model, Map<String, INDArray> activations) {
    forwardPassDone();
  }

  /**
   * The forward pass is done and the backward pass, which rewrites the buffer holding the last
   * update, comes next: the step measurement on the helper thread must be over.
   */
  private void forwardPassDone() {
    if (disabled) {
      return;
    }
    try {
      probe.onForwardPass(direct);
    } catch (Throwable t) {
      fail(t);
    }
  }

  @Override
  public void iterationDone(Model model, int iteration, int epoch) {
    if (disabled) {
      return;
    }
    try {
      long now = System.nanoTime();
      if (!started) {
        started = true;
        sink.offer(jobStarted(model, iteration, epoch));
      }
      double stepMs = lastIterationNanos == 0 ? Double.NaN : (now - lastIterationNanos) / 1e6;
      probe.onIterationDone(model, iteration, epoch, stepMs, sink.dropped(),
          ModelInspector.learningRate(model, iteration, epoch), this::header, direct);
      for (BoundaryTask task : tasks) {
        if (task.mayChangeModel(iteration)) {
          probe.settle(direct);
        }
        guard.run(task.name(), () -> task.atBoundary(model, iteration, epoch, emitter));
      }
      for (String why : guard.drainNewlyDisabled()) {
        emitter.emit(Heartbeat.of(header(iteration, epoch), "degraded", sink.dropped(), why));
      }
      lastIter = iteration;
      currentEpoch = epoch;
      lastIterationAtMs = System.currentTimeMillis();
      lastIterationNanos = System.nanoTime();
    } catch (Throwable t) {
      fail(t);
    }
  }

  private JobStarted jobStarted(Model model, int iteration, int epoch) {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "";
    }
    return JobStarted.builder(header(iteration, epoch))
        .modelClass(model.getClass().getSimpleName())
        .layers(ModelInspector.layers(model))
        .totalParams(model.numParams())
        .updater(ModelInspector.updater(model))
        .learningRate(ModelInspector.learningRate(model, iteration, epoch))
        .batchSize(Math.max(0, model.batchSize()))
        .backend(ModelInspector.backend())
        .host(host)
        .pid(AgentConfig.pid())
        .agentVersion(VERSION)
        .config(config.describe())
        .build();
  }

  private void heartbeat() {
    try {
      long since = System.currentTimeMillis() - lastIterationAtMs;
      String phase = started && since < 2 * config.heartbeatIntervalMs() ? "training" : "idle";
      sink.offer(Heartbeat.of(header(lastIter, currentEpoch), phase, sink.dropped(), ""));
    } catch (Throwable t) {
      // A heartbeat that fails is skipped; the next one tries again.
    }
  }

  private void fail(Throwable t) {
    failures++;
    if (failures >= MAX_FAILURES) {
      disabled = true;
      System.err.println(
          "[training-health] listener disabled after " + failures + " failures; last: " + t);
    }
  }

  /** Sends {@code job_finished} with outcome {@code completed} and releases the transport. */
  @Override
  public void close() {
    close("completed", "");
  }

  /** Sends {@code job_finished} with the given outcome and releases the transport; idempotent. */
  public void close(String outcome, String message) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (heartbeats != null) {
      heartbeats.shutdownNow();
    }
    try {
      probe.settle(direct);
    } catch (Throwable t) {
      System.err.println("[training-health] the last step's norms were lost: " + t);
    } finally {
      probe.close();
    }
    for (BoundaryTask task : tasks) {
      try {
        task.close();
      } catch (Throwable t) {
        System.err.println("[training-health] closing " + task.name() + " failed: " + t);
      }
    }
    try {
      sink.offer(JobFinished.of(header(lastIter, currentEpoch), outcome, message, sink.dropped()));
    } catch (Throwable t) {
      // close() runs in the program's own try-with-resources: a broken transport must not
      // turn a finished training into a failed one.
      System.err.println("[training-health] could not send job_finished: " + t);
    } finally {
      sink.close();
    }
  }
}
