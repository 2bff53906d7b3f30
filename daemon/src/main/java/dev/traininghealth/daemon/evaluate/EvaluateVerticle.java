package dev.traininghealth.daemon.evaluate;

import dev.traininghealth.daemon.Addresses;
import dev.traininghealth.daemon.DaemonConfig;
import dev.traininghealth.daemon.KafkaClientConfigs;
import dev.traininghealth.daemon.Topics;
import dev.traininghealth.daemon.rules.RuleMetrics;
import dev.traininghealth.daemon.rules.RuleReloader;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.rule.Alert;
import dev.traininghealth.rules.rule.AlertChange;
import dev.traininghealth.rules.rule.AlertState;
import dev.traininghealth.rules.rule.RuleSet;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the per-job state ({@link JobStore}): runs each job's rules over the event batches that
 * ingest sends, lets time pass for the silence detectors on a timer, exports what it learns as
 * metrics, publishes alert changes on {@link Topics#ALERTS} (JSON, key = job) and on the event
 * bus, and answers {@link JobQuery} requests. All of it on this verticle's one context, so the
 * state needs no locks. Deploy it as a worker: rule evaluation is CPU work.
 *
 * <p>Rules: {@code rules} (the defaults) plus the files of {@link DaemonConfig#rulesDirs()},
 * checked every {@link DaemonConfig#rulesPollMs()} by a {@link RuleReloader} off this context.
 * After a successful reload every job is evaluated under the new rules: rules that did not
 * change keep their alerts and detector state; an alert of a rule that was removed or changed is
 * retired (firing → resolved, pending → inactive, published with evidence saying so) and its
 * series leave /metrics; a changed rule starts over with a fresh detector.
 */
public final class EvaluateVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(EvaluateVerticle.class);
  private static final int MAX_POINTS = 100_000;

  private final DaemonConfig config;
  private final String bootstrapServers;
  private final Addresses addresses;
  private final RuleSet rules;
  private final JobMetrics jobMetrics;
  private final AlertMetrics alertMetrics;
  private final StreamMetrics streamMetrics;
  private final RuleMetrics ruleMetrics;
  private final LongSupplier clock;
  private RuleReloader reloader;
  private boolean reloading;
  private long rulesTimer = -1;
  private JobStore store;
  private KafkaProducer<String, String> alerts;
  private MessageConsumer<EventBatch> batches;
  private MessageConsumer<JsonObject> queries;
  private long timer = -1;

  public EvaluateVerticle(DaemonConfig config, String bootstrapServers, Addresses addresses,
      RuleSet rules, JobMetrics jobMetrics, AlertMetrics alertMetrics,
      StreamMetrics streamMetrics, RuleMetrics ruleMetrics, LongSupplier clock) {
    this.config = config;
    this.bootstrapServers = bootstrapServers;
    this.addresses = addresses;
    this.rules = rules;
    this.jobMetrics = jobMetrics;
    this.alertMetrics = alertMetrics;
    this.streamMetrics = streamMetrics;
    this.ruleMetrics = ruleMetrics;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    reloader = new RuleReloader(rules, config.rulesDirs(), ruleMetrics, clock);
    return vertx.executeBlocking(reloader::check).compose(loaded -> startEvaluating());
  }

  private Future<?> startEvaluating() {
    store = new JobStore(reloader.current(), config.jobsMax(), config.seriesPoints(), jobMetrics,
        alertMetrics, streamMetrics);
    if (reloader.watching()) {
      rulesTimer = vertx.setPeriodic(config.rulesPollMs(), id -> pollRules());
    }
    alerts =
        KafkaProducer.create(
            vertx,
            KafkaClientConfigs.producer(config, bootstrapServers, "alerts"),
            new StringSerializer(),
            new StringSerializer());
    batches = vertx.eventBus().localConsumer(addresses.events(), this::onBatch);
    queries = vertx.eventBus().localConsumer(addresses.jobQueries(), this::onQuery);
    timer = vertx.setPeriodic(config.tickMs(), id -> onTick());
    return Future.all(batches.completion(), queries.completion());
  }

  private void onBatch(Message<EventBatch> msg) {
    long now = clock.getAsLong();
    // Before the rules run, so the act verticle knows the losses that led to an alert.
    vertx.eventBus().publish(addresses.evaluatedEvents(), msg.body(),
        new DeliveryOptions().setCodecName(addresses.eventBatchCodec()).setLocalOnly(true));
    for (Event e : msg.body().events()) {
      JobState s = store.touch(e.job(), now);
      List<AlertChange> changes;
      try {
        changes = s.onEvent(e, now);
      } catch (RuntimeException ex) {
        // A detector bug must cost one event, not the daemon.
        LOG.warn("rules failed on {}: {}", e, ex.toString());
        continue;
      }
      publish(s, changes, now);
    }
    msg.reply(null);
  }

  private void pollRules() {
    if (reloading) {
      return; // the last check is still reading files
    }
    reloading = true;
    vertx.executeBlocking(reloader::check, false).onComplete(ar -> {
      reloading = false;
      if (ar.failed()) {
        LOG.warn("checking the rule directories failed: {}", ar.cause().toString());
      } else if (ar.result() != null) {
        applyRules(ar.result());
      }
    });
  }

  private void applyRules(RuleSet next) {
    long now = clock.getAsLong();
    for (Map.Entry<JobState, List<Alert>> e : store.replaceRules(next).entrySet()) {
      JobState s = e.getKey();
      for (Alert a : e.getValue()) {
        if (a.state() != AlertState.RESOLVED) {
          AlertState to = a.state() == AlertState.FIRING ? AlertState.RESOLVED : AlertState.INACTIVE;
          publish(s, List.of(AlertChange.of(a.state(), Alert.of(a.job(), a.rule(), a.severity(),
              to, a.sinceIter(), now, a.value(),
              "retired: rule '" + a.rule() + "' was changed or removed by a rules reload"))), now);
        }
      }
      if (s.metrics().exported()) {
        alertMetrics.removeJob(e.getValue());
      }
    }
  }

  private void onTick() {
    long now = clock.getAsLong();
    store.evictIdle(now, config.jobsIdleEvictMs());
    for (JobState s : store.all()) {
      try {
        publish(s, s.onTick(now), now);
      } catch (RuntimeException ex) {
        LOG.warn("rules failed on the tick of job '{}': {}", s.job(), ex.toString());
      }
    }
  }

  private void publish(JobState s, List<AlertChange> changes, long now) {
    for (AlertChange c : changes) {
      alertMetrics.changed(c, s.metrics().exported());
      JsonObject json = AlertJson.of(c, now);
      LOG.info("alert {}", c);
      vertx.eventBus().publish(addresses.alertChanges(), json);
      alerts
          .send(KafkaProducerRecord.create(Topics.ALERTS, s.job(), json.encode()))
          .onFailure(err -> LOG.warn("could not publish {} on {}: {}", c, Topics.ALERTS,
              err.toString()));
    }
  }

  private void onQuery(Message<JsonObject> msg) {
    JsonObject q = msg.body();
    String op = q == null ? null : q.getString(JobQuery.OP);
    if (JobQuery.OP_LIST.equals(op)) {
      JsonArray jobs = new JsonArray();
      store.all().stream()
          .sorted(Comparator.comparing(JobState::job))
          .forEach(s -> jobs.add(s.summary()));
      msg.reply(new JsonObject().put("count", jobs.size()).put("jobs", jobs));
    } else if (JobQuery.OP_GET.equals(op)) {
      String job = q.getString(JobQuery.JOB);
      Integer points = q.getInteger(JobQuery.POINTS, config.seriesPoints());
      if (job == null || points == null || points < 0 || points > MAX_POINTS) {
        msg.fail(JobQuery.BAD_REQUEST, "a job and 0 <= points <= " + MAX_POINTS + " are needed");
        return;
      }
      JobState s = store.peek(job);
      if (s == null) {
        msg.fail(JobQuery.NOT_FOUND, "no job '" + job + "' is known to this daemon");
      } else {
        msg.reply(s.detail(points));
      }
    } else if (JobQuery.OP_ALERTS.equals(op)) {
      msg.reply(alerts(q.getString(JobQuery.STATE), q.getString(JobQuery.SEVERITY)));
    } else if (JobQuery.OP_RULES.equals(op)) {
      msg.reply(RulesJson.of(reloader, store.all()));
    } else {
      msg.fail(JobQuery.BAD_REQUEST, "unknown query " + q);
    }
  }

  private JsonObject alerts(String state, String severity) {
    JsonArray out = new JsonArray();
    store.all().stream()
        .sorted(Comparator.comparing(JobState::job))
        .forEach(s -> {
          for (Alert a : s.alerts()) {
            if (a.state() != AlertState.INACTIVE
                && (state == null || a.state().wireName().equals(state))
                && (severity == null || a.severity().wireName().equals(severity))) {
              out.add(JobState.alertJson(a).put("job", a.job()));
            }
          }
        });
    return new JsonObject().put("count", out.size()).put("alerts", out);
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    vertx.cancelTimer(rulesTimer);
    return Future.join(batches.unregister(), queries.unregister())
        .transform(ar -> alerts.close());
  }
}
