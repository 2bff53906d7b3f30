package dev.traininghealth.daemon.act;

import dev.traininghealth.daemon.Addresses;
import dev.traininghealth.daemon.DaemonConfig;
import dev.traininghealth.daemon.KafkaClientConfigs;
import dev.traininghealth.daemon.Topics;
import dev.traininghealth.daemon.evaluate.EventBatch;
import dev.traininghealth.rules.command.CommandCodec;
import dev.traininghealth.rules.command.CommandSigner;
import dev.traininghealth.rules.event.ActionResult;
import dev.traininghealth.rules.event.Event;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the action requests of alert changes, and actions asked for through the API, into
 * signed commands on {@link Topics#COMMANDS} (key = job), and follows what became of them: the
 * agents' {@code action_result}s and the losses after. The decisions are the {@link
 * ActionLedger}'s; this verticle feeds it from the event bus, publishes what it decides, counts
 * and logs. Requests on {@link Addresses#actionRequests()}: {@code {"op":"send","job","action",
 * "params","reason","run"}} (reply: the record with its command; failure code = HTTP status) and
 * {@code {"op":"list","job"}}.
 */
public final class ActVerticle extends VerticleBase {
  public static final String OP = "op";
  public static final String OP_SEND = "send";
  public static final String OP_LIST = "list";

  private static final Logger LOG = LoggerFactory.getLogger(ActVerticle.class);

  private final DaemonConfig config;
  private final String bootstrapServers;
  private final Addresses addresses;
  private final ActionMetrics metrics;
  private final LongSupplier clock;
  private final CommandCodec codec = new CommandCodec();
  private ActionLedger ledger;
  private KafkaProducer<String, byte[]> producer;
  private MessageConsumer<JsonObject> alerts;
  private MessageConsumer<EventBatch> events;
  private MessageConsumer<JsonObject> requests;
  private MessageConsumer<JsonArray> sentBefore;

  public ActVerticle(DaemonConfig config, String bootstrapServers, Addresses addresses,
      ActionMetrics metrics, LongSupplier clock) {
    this.config = config;
    this.bootstrapServers = bootstrapServers;
    this.addresses = addresses;
    this.metrics = metrics;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    CommandIssuer issuer = config.commandsKey().isEmpty() ? null
        : new CommandIssuer(CommandSigner.withKey(config.commandsKey()), config.commandsTtlMs());
    if (issuer == null) {
      LOG.warn("no {}: actions will be recorded and counted but not sent",
          DaemonConfig.COMMANDS_KEY);
    }
    ledger = new ActionLedger(issuer, config.actionsBudget(), config.actionsCooldownMs(),
        config.actionsVerifyIterations(), config.actionsHistory(), config.jobsMax());
    producer = KafkaProducer.create(vertx,
        KafkaClientConfigs.producer(config, bootstrapServers, "commands"),
        new StringSerializer(), new ByteArraySerializer());
    alerts = vertx.eventBus().localConsumer(addresses.alertChanges(), this::onAlert);
    events = vertx.eventBus().localConsumer(addresses.evaluatedEvents(), this::onEvents);
    requests = vertx.eventBus().localConsumer(addresses.actionRequests(), this::onRequest);
    sentBefore = vertx.eventBus().localConsumer(addresses.commandsSent(), msg -> {
      List<String> ids = new java.util.ArrayList<>(msg.body().size());
      for (int i = 0; i < msg.body().size(); i++) {
        ids.add(msg.body().getString(i));
      }
      ledger.sentBefore(ids);
    });
    return Future.all(alerts.completion(), events.completion(), requests.completion(),
        sentBefore.completion());
  }

  private void onAlert(Message<JsonObject> msg) {
    AlertUpdate u;
    try {
      u = AlertUpdate.fromJson(msg.body());
    } catch (RuntimeException ex) {
      LOG.warn("ignoring an alert change that does not read: {}", ex.toString());
      return;
    }
    dispatch(ledger.onAlert(u, clock.getAsLong()));
  }

  private void onEvents(Message<EventBatch> msg) {
    long now = clock.getAsLong();
    for (Event e : msg.body().events()) {
      if (e instanceof ActionResult res) {
        ActionRecord r = ledger.byId(res.commandId());
        metrics.result(r != null ? r.action() : res.action(), res.outcome().wireName());
        LOG.info("job '{}': command {} ({}) {}{}", res.job(), res.commandId(),
            r != null ? r.action() : res.action(), res.outcome().wireName(),
            res.reason().isEmpty() ? "" : ": " + res.reason());
      }
      dispatch(ledger.onEvent(e, now));
    }
  }

  private void dispatch(List<ActionRecord> records) {
    for (ActionRecord r : records) {
      if (r.notSentReason() != null) {
        notSent(r);
      } else {
        publish(r);
      }
    }
  }

  private void notSent(ActionRecord r) {
    metrics.notSent(r.notSentReason());
    LOG.warn("job '{}': {} ({}) not sent: {} ({})", r.job(), r.action(),
        r.rule().isEmpty() ? "api" : "rule " + r.rule() + " rung " + r.rung(),
        r.notSentReason().label().replace('_', ' '),
        r.toJson(null).getString("not_sent_detail"));
  }

  /** Writes the record's command; the future has the record as JSON once Kafka took it. */
  private Future<JsonObject> publish(ActionRecord r) {
    byte[] bytes = codec.encode(r.command());
    return producer
        .send(KafkaProducerRecord.create(Topics.COMMANDS, r.job(), bytes))
        .map(md -> {
          r.published();
          metrics.sent(r);
          LOG.info("job '{}': sent {} ({}): {}", r.job(), r.command(), r.source().wireName(),
              r.command().reason());
          return r.toJson(ActionRecord.commandJson(bytes));
        })
        .recover(err -> {
          List<ActionRecord> released = ledger.publishFailed(r, err.toString(), clock.getAsLong());
          notSent(r);
          dispatch(released);
          return Future.failedFuture(err);
        });
  }

  private void onRequest(Message<JsonObject> msg) {
    JsonObject q = msg.body();
    String op = q == null ? null : q.getString(OP);
    String job = q == null ? null : q.getString("job");
    if (job == null) {
      msg.fail(400, "a job is needed");
    } else if (OP_LIST.equals(op)) {
      JsonArray out = new JsonArray();
      for (ActionRecord r : ledger.history(job)) {
        out.add(r.toJson(r.command() == null ? null
            : ActionRecord.commandJson(codec.encode(r.command()))));
      }
      msg.reply(new JsonObject().put("job", job).put("count", out.size()).put("actions", out));
    } else if (OP_SEND.equals(op)) {
      send(msg, q, job);
    } else {
      msg.fail(400, "unknown request " + q);
    }
  }

  private void send(Message<JsonObject> msg, JsonObject q, String job) {
    ActionRecord r;
    try {
      Map<String, Object> params =
          new LinkedHashMap<>(q.getJsonObject("params", new JsonObject()).getMap());
      r = ledger.request(job, q.getString("run", ""), q.getString("action", ""), params,
          q.getString("reason", ""), clock.getAsLong());
    } catch (ActionRefused ex) {
      metrics.notSent(ex.reason());
      LOG.warn("job '{}': {} (api) not sent: {}", job, q.getString("action"), ex.getMessage());
      msg.fail(ex.status(), ex.getMessage());
      return;
    }
    publish(r)
        .onSuccess(msg::reply)
        .onFailure(err -> msg.fail(503, "could not write the command to " + Topics.COMMANDS
            + ": " + err.getMessage()));
  }

  @Override
  public Future<?> stop() {
    return Future.join(alerts.unregister(), events.unregister(), requests.unregister(),
            sentBefore.unregister())
        .transform(ar -> producer.close());
  }
}
