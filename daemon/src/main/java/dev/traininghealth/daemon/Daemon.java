package dev.traininghealth.daemon;

import dev.traininghealth.daemon.act.ActVerticle;
import dev.traininghealth.daemon.act.ActionMetrics;
import dev.traininghealth.daemon.api.HttpVerticle;
import dev.traininghealth.daemon.evaluate.AlertMetrics;
import dev.traininghealth.daemon.evaluate.EvaluateVerticle;
import dev.traininghealth.daemon.evaluate.EventBatch;
import dev.traininghealth.daemon.evaluate.JobMetrics;
import dev.traininghealth.daemon.evaluate.StreamMetrics;
import dev.traininghealth.daemon.ingest.IngestMetrics;
import dev.traininghealth.daemon.ingest.IngestVerticle;
import dev.traininghealth.daemon.metrics.MetricsRegistry;
import dev.traininghealth.daemon.rules.RuleMetrics;
import dev.traininghealth.kafka.EmbeddedKafka;
import dev.traininghealth.rules.rule.RuleSet;
import io.prometheus.client.CollectorRegistry;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running daemon: Kafka (the configured cluster, or an embedded broker), the topics, and the
 * ingest, evaluate, act and HTTP verticles. Start it with {@link #start(Vertx, DaemonConfig)} from
 * Vert.x code or {@link #start(DaemonConfig)} from plain Java; stop it with {@link #stop()} or
 * {@link #close()}.
 */
public final class Daemon implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
  private static final long BLOCKING_TIMEOUT_S = 120;

  private final Vertx vertx;
  private final boolean ownsVertx;
  private final DaemonConfig config;
  private final Addresses addresses = Addresses.unique();
  private final Deque<String> deployments = new ArrayDeque<>();
  private EmbeddedKafka embedded;
  private String bootstrapServers;
  private CollectorRegistry registry;
  private HttpVerticle http;
  private boolean codecRegistered;
  private Future<Void> stopped;

  private Daemon(Vertx vertx, boolean ownsVertx, DaemonConfig config) {
    this.vertx = vertx;
    this.ownsVertx = ownsVertx;
    this.config = config;
  }

  /** Starts a daemon in {@code vertx}; on failure whatever was started is stopped again. */
  public static Future<Daemon> start(Vertx vertx, DaemonConfig config) {
    return start(vertx, false, config);
  }

  private static Future<Daemon> start(Vertx vertx, boolean ownsVertx, DaemonConfig config) {
    Daemon d = new Daemon(vertx, ownsVertx, config);
    return d.startAll()
        .map(d)
        .recover(err -> d.stop().transform(ar -> Future.<Daemon>failedFuture(err)));
  }

  /**
   * Starts a daemon in a Vert.x instance of its own and waits until it serves; for plain Java
   * callers (the demo, end-to-end tests). {@link #close()} stops both.
   */
  public static Daemon start(DaemonConfig config) {
    return await(start(Vertx.vertx(), true, config), "start");
  }

  private Future<Void> startAll() {
    try {
      config.requireApiSecurity();
    } catch (IllegalStateException ex) {
      return Future.failedFuture(ex);
    }
    if (config.apiToken().isEmpty()) {
      LOG.warn("{}=true: the write API takes requests from anyone who can reach {}:{}",
          DaemonConfig.API_INSECURE, config.httpHost(), config.httpPort());
    }
    Future<String> kafka =
        config.embeddedKafka()
            ? vertx.executeBlocking(
                () -> {
                  embedded = EmbeddedKafka.start(config.kafkaDir(), config.kafkaPort());
                  return embedded.bootstrapServers();
                })
            : Future.succeededFuture(config.bootstrapServers());
    return kafka
        .compose(bs -> {
          bootstrapServers = bs;
          return vertx.executeBlocking(() -> {
            try (Admin admin = Admin.create(new HashMap<>(
                KafkaClientConfigs.admin(config, bootstrapServers)))) {
              Topics.ensure(admin, config.topicPartitions());
            }
            return null;
          });
        })
        .compose(v -> {
          registry = MetricsRegistry.withJvmMetrics();
          vertx.eventBus().registerCodec(EventBatch.codec(addresses.eventBatchCodec()));
          codecRegistered = true;
          return deploy(new EvaluateVerticle(config, bootstrapServers, addresses,
              RuleSet.defaults(), new JobMetrics(registry, config.metricsJobsMax()),
              new AlertMetrics(registry), new StreamMetrics(registry), new RuleMetrics(registry),
              System::currentTimeMillis), ThreadingModel.WORKER);
        })
        .compose(v -> deploy(new ActVerticle(config, bootstrapServers, addresses,
            new ActionMetrics(registry), System::currentTimeMillis), ThreadingModel.WORKER))
        .compose(v -> deploy(new IngestVerticle(config, bootstrapServers, addresses,
            new IngestMetrics(registry)), ThreadingModel.WORKER))
        .compose(v -> {
          http = new HttpVerticle(config, addresses, registry);
          return deploy(http, ThreadingModel.EVENT_LOOP);
        })
        .onSuccess(v -> LOG.info("daemon {} up: metrics {}, API {}, Kafka {}{}, group {}",
            config.instanceId(), metricsUrl(), apiUrl(), bootstrapServers,
            embedded == null ? "" : " (embedded, data in " + embedded.dataDir() + ")",
            config.groupId()));
  }

  private Future<Void> deploy(io.vertx.core.Deployable verticle, ThreadingModel model) {
    return vertx
        .deployVerticle(verticle, new DeploymentOptions().setThreadingModel(model))
        .onSuccess(deployments::push)
        .mapEmpty();
  }

  /** The port of {@code /metrics} and the API. */
  public int httpPort() {
    return http.port();
  }

  /** {@code bootstrap.servers} of the Kafka the daemon uses (the embedded broker's, if any). */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  public String metricsUrl() {
    return baseUrl() + HttpVerticle.METRICS_PATH;
  }

  public String apiUrl() {
    return baseUrl() + HttpVerticle.JOBS_PATH;
  }

  private String baseUrl() {
    return "http://" + config.httpHost() + ":" + httpPort();
  }

  /** The registry behind {@code /metrics}. */
  public CollectorRegistry registry() {
    return registry;
  }

  public DaemonConfig config() {
    return config;
  }

  /**
   * Undeploys the verticles (HTTP first, evaluate last), stops the embedded broker and, for a
   * daemon started by {@link #start(DaemonConfig)}, closes its Vert.x. Idempotent.
   */
  public synchronized Future<Void> stop() {
    if (stopped == null) {
      Future<Void> f = Future.succeededFuture();
      while (!deployments.isEmpty()) {
        String id = deployments.pop();
        f = f.transform(ar -> vertx.undeploy(id));
      }
      f = f.transform(ar -> {
        if (codecRegistered) {
          vertx.eventBus().unregisterCodec(addresses.eventBatchCodec());
        }
        return embedded == null ? Future.<Void>succeededFuture()
            : vertx.<Void>executeBlocking(() -> {
              embedded.close();
              return null;
            });
      });
      if (ownsVertx) {
        f = f.transform(ar -> vertx.close());
      }
      stopped = f;
    }
    return stopped;
  }

  /** {@link #stop()}, waiting for it; must not be called on a Vert.x thread. */
  @Override
  public void close() {
    await(stop(), "stop");
  }

  private static <T> T await(Future<T> f, String what) {
    if (Context.isOnVertxThread()) {
      throw new IllegalStateException("blocking " + what + " on a Vert.x thread; use the Future");
    }
    try {
      return f.toCompletionStage().toCompletableFuture().get(BLOCKING_TIMEOUT_S, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("daemon " + what + " failed: " + e.getCause().getMessage(),
          e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during daemon " + what, e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("daemon " + what + " took over " + BLOCKING_TIMEOUT_S + " s",
          e);
    }
  }
}
