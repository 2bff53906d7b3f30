package dev.traininghealth.daemon.api;

import dev.traininghealth.daemon.Addresses;
import dev.traininghealth.daemon.DaemonConfig;
import dev.traininghealth.daemon.act.ActVerticle;
import dev.traininghealth.daemon.act.ActionRoutes;
import dev.traininghealth.daemon.evaluate.JobQuery;
import dev.traininghealth.daemon.metrics.Exposition;
import dev.traininghealth.daemon.web.WebRoutes;
import io.prometheus.client.CollectorRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side: {@code GET /metrics} for Prometheus, {@code GET /healthz}, and the read API
 * {@code GET /api/jobs}, {@code GET /api/jobs/{id}[?points=n]}, {@code GET
 * /api/alerts[?state=..&severity=..]} and {@code GET /api/rules}, the live page of {@link
 * WebRoutes} and the actions routes of {@link ActionRoutes}. Every error is JSON, {@code
 * {"error": <status>, "message": <what was wrong>}}. Job state comes from the evaluate verticle by
 * event-bus request; the scrape is written on a worker thread so a large registry never holds
 * the event loop.
 */
public final class HttpVerticle extends VerticleBase {
  public static final String METRICS_PATH = "/metrics";
  public static final String HEALTH_PATH = "/healthz";
  public static final String JOBS_PATH = "/api/jobs";
  public static final String ALERTS_PATH = "/api/alerts";
  public static final String RULES_PATH = "/api/rules";

  private static final Logger LOG = LoggerFactory.getLogger(HttpVerticle.class);
  private static final String JSON = "application/json; charset=utf-8";
  private static final long QUERY_TIMEOUT_MS = 10_000;

  private final DaemonConfig config;
  private final Addresses addresses;
  private final CollectorRegistry registry;
  private HttpServer server;

  public HttpVerticle(DaemonConfig config, Addresses addresses, CollectorRegistry registry) {
    this.config = config;
    this.addresses = addresses;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get(METRICS_PATH).handler(this::metrics);
    router.get(HEALTH_PATH).handler(ctx -> ctx.json(new JsonObject().put("status", "ok")));
    router.get(JOBS_PATH).handler(ctx -> query(ctx, JobQuery.list()));
    router.get(JOBS_PATH + "/:id").handler(this::job);
    WebRoutes.mount(router, vertx, addresses); // the live page at / and its /api/stream
    new ActionRoutes(vertx, config, addresses).mount(router);
    router.get(ALERTS_PATH).handler(this::alerts);
    router.get(RULES_PATH).handler(ctx -> query(ctx, JobQuery.rules()));
    router.route().last().handler(this::unmatched);
    router.errorHandler(500, ctx -> {
      LOG.warn("{} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
      error(ctx, 500, "internal error: " + String.valueOf(ctx.failure()));
    });
    return vertx
        .createHttpServer()
        .requestHandler(router)
        .listen(config.httpPort(), config.httpHost())
        .onSuccess(s -> server = s);
  }

  /** The port the server listens on (the free one picked when configured as 0). */
  public int port() {
    return server.actualPort();
  }

  /** 405 for a known resource asked with another method than GET, else 404; both JSON. */
  private void unmatched(RoutingContext ctx) {
    String path = ctx.request().path();
    boolean known = path.equals(METRICS_PATH) || path.equals(HEALTH_PATH)
        || path.equals(JOBS_PATH) || path.startsWith(JOBS_PATH + "/")
        || path.equals(ALERTS_PATH) || path.equals(RULES_PATH);
    if (known) {
      ctx.response().putHeader(HttpHeaders.ALLOW, "GET");
      error(ctx, 405, ctx.request().method() + " is not allowed on " + path + "; use GET");
    } else {
      error(ctx, 404, "no resource at " + ctx.request().method() + " " + path);
    }
  }

  private void metrics(RoutingContext ctx) {
    String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
    vertx
        .executeBlocking(() -> Exposition.scrape(registry, accept, config.instanceId()))
        .onSuccess(e -> ctx.response()
            .putHeader(HttpHeaders.CONTENT_TYPE, e.contentType())
            .end(e.body()))
        .onFailure(ctx::fail);
  }

  private void job(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    int points = config.seriesPoints();
    List<String> p = ctx.queryParam("points");
    if (!p.isEmpty()) {
      try {
        points = Integer.parseInt(p.get(0));
      } catch (NumberFormatException ex) {
        points = -1;
      }
      if (points < 0) {
        error(ctx, 400, "points must be a non-negative integer, got '" + p.get(0) + "'");
        return;
      }
    }
    DeliveryOptions local = new DeliveryOptions().setSendTimeout(QUERY_TIMEOUT_MS).setLocalOnly(true);
    vertx.eventBus()
        .<JsonObject>request(addresses.jobQueries(), JobQuery.get(id, points), local)
        .map(Message::body)
        .compose(detail -> vertx.eventBus()
            .<JsonObject>request(addresses.actionRequests(), new JsonObject()
                .put(ActVerticle.OP, ActVerticle.OP_LIST).put("job", id), local)
            .map(m -> detail.put("actions", m.body().getJsonArray("actions")))
            // The job's state is worth showing even when the act verticle cannot answer.
            .recover(err -> Future.succeededFuture(detail)))
        .onSuccess(body -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, JSON)
            .end(body.encode()))
        .onFailure(err -> {
          if (err instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
            error(ctx, re.failureCode(), re.getMessage());
          } else {
            error(ctx, 503, "job state unavailable: " + err.getMessage());
          }
        });
  }

  /** {@code ?state=pending|firing|resolved&severity=info|warning|critical}, both optional. */
  private void alerts(RoutingContext ctx) {
    String state = oneOf(ctx, "state", List.of("pending", "firing", "resolved"));
    String severity = oneOf(ctx, "severity", List.of("info", "warning", "critical"));
    if (!ctx.response().ended()) {
      query(ctx, JobQuery.alerts(state, severity));
    }
  }

  /** The query parameter's single value if it is one of {@code allowed}; else a JSON 400. */
  private static String oneOf(RoutingContext ctx, String name, List<String> allowed) {
    List<String> v = ctx.queryParam(name);
    if (v.isEmpty()) {
      return null;
    }
    if (v.size() > 1 || !allowed.contains(v.get(0))) {
      error(ctx, 400, name + " must be one of " + allowed + ", got " + v);
      return null;
    }
    return v.get(0);
  }

  private void query(RoutingContext ctx, JsonObject q) {
    vertx
        .eventBus()
        .<JsonObject>request(addresses.jobQueries(), q,
            new DeliveryOptions().setSendTimeout(QUERY_TIMEOUT_MS).setLocalOnly(true))
        .map(Message::body)
        .onSuccess(body -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, JSON)
            .end(body.encode()))
        .onFailure(err -> {
          if (err instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
            error(ctx, re.failureCode(), re.getMessage());
          } else {
            error(ctx, 503, "job state unavailable: " + err.getMessage());
          }
        });
  }

  static void error(RoutingContext ctx, int status, String message) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
        .end(new JsonObject().put("error", status).put("message", message).encode());
  }
}
