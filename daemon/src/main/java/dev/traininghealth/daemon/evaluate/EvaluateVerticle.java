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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;
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
 *
 * <p>Partitions: when ingest is assigned partitions it first hands over what {@code th.alerts}
 * already holds for them (seeding {@link PublishedAlerts}), then replays their recent events as
 * replay batches, which rebuild the jobs' state and publish nothing, and says when each has
 * caught up: then the last replayed change of each rule goes through the gate, so an alert the
 * earlier owner computed but did not publish is published now, once. Every alert change passes
 * that gate. A revoked partition's jobs are dropped, so a job is on one daemon's /metrics only.
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
  private MessageConsumer<JsonObject> partitionOps;
  private final PublishedAlerts published = new PublishedAlerts();
  // Partitions whose replay has not caught up with the committed offset yet.
  private final Set<Integer> replaying = new HashSet<>();
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
    store.onForget(published::forget);
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
    partitionOps = vertx.eventBus().localConsumer(addresses.partitions(), this::onPartitions);
    timer = vertx.setPeriodic(config.tickMs(), id -> onTick());
    return Future.all(batches.completion(), queries.completion(), partitionOps.completion());
  }

  private void onBatch(Message<EventBatch> msg) {
    long now = clock.getAsLong();
    EventBatch batch = msg.body();
    if (!batch.replay()) {
      // Before the rules run, so the act verticle knows the losses that led to an alert.
      vertx.eventBus().publish(addresses.evaluatedEvents(), batch,
          new DeliveryOptions().setCodecName(addresses.eventBatchCodec()).setLocalOnly(true));
    }
    for (Event e : batch.events()) {
      JobState s = store.touch(e.job(), now);
      if (batch.partition() != EventBatch.NO_PARTITION) {
        s.partition(batch.partition());
      }
      List<AlertChange> changes;
      try {
        changes = s.onEvent(e, now);
      } catch (RuntimeException ex) {
        // A detector bug must cost one event, not the daemon.
        LOG.warn("rules failed on {}: {}", e, ex.toString());
        continue;
      }
      if (batch.replay()) {
        for (AlertChange c : changes) {
          alertMetrics.changed(c, s.metrics().exported(), false);
          published.replayed(c);
        }
      } else {
        publish(s, changes, now);
      }
    }
    msg.reply(null);
  }

  private void onPartitions(Message<JsonObject> msg) {
    JsonObject q = msg.body();
    String op = q.getString("op", "");
    List<Integer> parts = ints(q.getJsonArray("partitions", new JsonArray()));
    long now = clock.getAsLong();
    switch (op) {
      case "assigned" -> {
        JsonArray seen = q.getJsonArray("alerts", new JsonArray());
        for (int i = 0; i < seen.size(); i++) {
          published.seen(seen.getJsonObject(i));
        }
        replaying.addAll(ints(q.getJsonArray("replaying", new JsonArray())));
        LOG.info("assigned partitions {} ({} alert records read back, replaying {})", parts,
            seen.size(), replaying);
      }
      case "caught_up" -> {
        replaying.removeAll(parts);
        int republished = 0;
        for (JobState s : store.all()) {
          if (parts.contains(s.partition())) {
            for (AlertChange c : published.drainReplayed(s.job())) {
              republished += emit(s, c, now) ? 1 : 0;
            }
          }
        }
        LOG.info("partitions {} caught up with their committed offsets; {} alert changes the"
            + " earlier owner had not published were published", parts, republished);
      }
      case "revoked" -> {
        replaying.removeAll(parts);
        int n = store.removePartitions(parts);
        LOG.info("partitions {} revoked: dropped {} jobs", parts, n);
      }
      default -> {
        msg.fail(JobQuery.BAD_REQUEST, "unknown partition op " + q);
        return;
      }
    }
    msg.reply(null);
  }

  private static List<Integer> ints(JsonArray a) {
    List<Integer> out = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      out.add(a.getInteger(i));
    }
    return out;
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
              Alert.RETIRED + "rule '" + a.rule()
                  + "' was changed or removed by a rules reload"))), now);
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
      if (replaying.contains(s.partition())) {
        continue; // its events are still old: silence detectors would see silence that is not
      }
      try {
        publish(s, s.onTick(now), now);
      } catch (RuntimeException ex) {
        LOG.warn("rules failed on the tick of job '{}': {}", s.job(), ex.toString());
      }
    }
  }

  private void publish(JobState s, List<AlertChange> changes, long now) {
    for (AlertChange c : changes) {
      alertMetrics.changed(c, s.metrics().exported(), true);
      emit(s, c, now);
    }
  }

  /** Passes a change through the gate and publishes what it lets through; true if published. */
  private boolean emit(JobState s, AlertChange computed, long now) {
    PublishedAlerts.Admitted admitted = published.admit(computed);
    if (admitted == null) {
      LOG.debug("alert {} not published: the world already knows", computed);
      return false;
    }
    AlertChange c = admitted.change();
    JsonObject json = AlertJson.of(c, now);
    if (!admitted.publish()) {
      // Rungs already asked for: the act verticle sends each command id at most once.
      vertx.eventBus().publish(addresses.alertChanges(), json.put("published", false));
      return false;
    }
    LOG.info("alert {}", c);
    vertx.eventBus().publish(addresses.alertChanges(), json);
    alerts
        .send(KafkaProducerRecord.create(Topics.ALERTS, s.job(), json.encode()))
        .onFailure(err -> LOG.warn("could not publish {} on {}: {}", c, Topics.ALERTS,
            err.toString()));
    return true;
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
    return Future.join(batches.unregister(), queries.unregister(), partitionOps.unregister())
        .transform(ar -> alerts.close());
  }
}
