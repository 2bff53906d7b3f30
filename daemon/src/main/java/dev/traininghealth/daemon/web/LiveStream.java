package dev.traininghealth.daemon.web;

import dev.traininghealth.daemon.Addresses;
import dev.traininghealth.daemon.evaluate.JobQuery;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Server-sent events for the web page. Two kinds:
 *
 * <ul>
 *   <li>{@code alert}: every alert change the evaluate verticle publishes on the event bus, as
 *       it comes ({@code AlertJson}).
 *   <li>{@code jobs}: the {@code /api/jobs} list, asked of the evaluate verticle every {@value
 *       #POLL_MS} ms while someone listens, and sent only when it changed. Polling the summary
 *       rather than pushing every event bounds the page's traffic whatever the jobs' rate; the
 *       page fetches a job's recent series when its iteration moves.
 * </ul>
 *
 * Confined to the event loop of the verticle that created it.
 */
public final class LiveStream {
  static final long POLL_MS = 500;
  static final long KEEPALIVE_MS = 15_000;

  private final Vertx vertx;
  private final Addresses addresses;
  private final Set<HttpServerResponse> clients = new LinkedHashSet<>();
  private String lastJobs = "";
  private boolean asking;

  private LiveStream(Vertx vertx, Addresses addresses) {
    this.vertx = vertx;
    this.addresses = addresses;
  }

  static LiveStream start(Vertx vertx, Addresses addresses) {
    LiveStream s = new LiveStream(vertx, addresses);
    vertx.eventBus().<JsonObject>localConsumer(addresses.alertChanges(), s::onAlert);
    vertx.setPeriodic(POLL_MS, id -> s.poll());
    vertx.setPeriodic(KEEPALIVE_MS, id -> s.broadcast(": keepalive\n\n"));
    return s;
  }

  /** Listeners connected now. */
  public int clients() {
    return clients.size();
  }

  void connect(RoutingContext ctx) {
    HttpServerResponse r = ctx.response();
    r.setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        .putHeader("X-Accel-Buffering", "no"); // nginx and friends: do not buffer the stream
    clients.add(r);
    r.closeHandler(v -> clients.remove(r));
    r.exceptionHandler(e -> clients.remove(r));
    // The retry hint, then the current state at once rather than at the next change.
    r.write("retry: 2000\n\n");
    if (!lastJobs.isEmpty()) {
      r.write(frame("jobs", lastJobs));
    }
    poll();
  }

  private void onAlert(Message<JsonObject> msg) {
    if (!msg.body().getBoolean("published", true)) {
      return; // a repeat for the act verticle, not news
    }
    broadcast(frame("alert", msg.body().encode()));
  }

  private void poll() {
    if (clients.isEmpty() || asking) {
      return;
    }
    asking = true;
    vertx.eventBus()
        .<JsonObject>request(addresses.jobQueries(), JobQuery.list(),
            new DeliveryOptions().setSendTimeout(POLL_MS * 4).setLocalOnly(true))
        .onComplete(ar -> {
          asking = false;
          if (ar.succeeded()) {
            String jobs = ar.result().body().encode();
            if (!jobs.equals(lastJobs)) {
              lastJobs = jobs;
              broadcast(frame("jobs", jobs));
            }
          }
        });
  }

  private void broadcast(String frame) {
    for (HttpServerResponse r : Set.copyOf(clients)) {
      if (r.closed() || r.ended()) {
        clients.remove(r);
      } else if (!r.writeQueueFull()) {
        // A client that cannot keep up misses frames rather than growing our memory; the next
        // jobs snapshot brings it up to date.
        r.write(frame);
      }
    }
  }

  static String frame(String event, String json) {
    return "event: " + event + "\ndata: " + json + "\n\n";
  }
}
