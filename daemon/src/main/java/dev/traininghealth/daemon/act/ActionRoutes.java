package dev.traininghealth.daemon.act;

import dev.traininghealth.daemon.Addresses;
import dev.traininghealth.daemon.DaemonConfig;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/jobs/{id}/actions} (bearer token, body of at most {@value #MAX_BODY_BYTES}
 * bytes, see {@link ActionBody}; 202 with the command) and {@code GET /api/jobs/{id}/actions}
 * (what was sent to the job, with outcomes and verdicts). Errors are JSON {@code {"error":
 * <status>, "message"}} as elsewhere in the API. No CORS headers: browsers on other origins
 * cannot call it.
 */
public final class ActionRoutes {
  public static final String PATH = "/api/jobs/:id/actions";
  public static final int MAX_BODY_BYTES = 64 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(ActionRoutes.class);
  private static final String JSON = "application/json; charset=utf-8";
  private static final long REQUEST_TIMEOUT_MS = 15_000;

  private final Vertx vertx;
  private final Addresses addresses;
  private final BearerToken token;

  public ActionRoutes(Vertx vertx, DaemonConfig config, Addresses addresses) {
    this.vertx = vertx;
    this.addresses = addresses;
    this.token = BearerToken.of(config.apiToken());
  }

  /** Adds the routes; call before any catch-all route. */
  public void mount(Router router) {
    // The token is checked on a route of its own, before the body handler's: a stranger's body
    // is never buffered (a body handler must come first on its route).
    router.post(PATH).handler(this::authorize);
    router.post(PATH)
        .handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
        .handler(this::post)
        .failureHandler(this::failed);
    router.get(PATH).handler(this::list);
  }

  private void authorize(RoutingContext ctx) {
    if (token.admits(ctx.request().getHeader(HttpHeaders.AUTHORIZATION))) {
      ctx.next();
    } else {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      error(ctx, 401, "a valid 'Authorization: Bearer <token>' header is needed");
    }
  }

  private void post(RoutingContext ctx) {
    JsonObject q;
    try {
      q = ActionBody.parse(ctx.body().buffer());
    } catch (IllegalArgumentException ex) {
      error(ctx, 400, ex.getMessage());
      return;
    }
    q.put(ActVerticle.OP, ActVerticle.OP_SEND).put("job", ctx.pathParam("id"));
    ask(ctx, q, 202);
  }

  private void list(RoutingContext ctx) {
    ask(ctx, new JsonObject().put(ActVerticle.OP, ActVerticle.OP_LIST)
        .put("job", ctx.pathParam("id")), 200);
  }

  private void ask(RoutingContext ctx, JsonObject q, int status) {
    vertx.eventBus()
        .<JsonObject>request(addresses.actionRequests(), q,
            new DeliveryOptions().setSendTimeout(REQUEST_TIMEOUT_MS).setLocalOnly(true))
        .map(Message::body)
        .onSuccess(body -> ctx.response().setStatusCode(status)
            .putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(body.encode()))
        .onFailure(err -> {
          if (err instanceof ReplyException re
              && re.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
            error(ctx, re.failureCode(), re.getMessage());
          } else {
            error(ctx, 503, "actions unavailable: " + err.getMessage());
          }
        });
  }

  private void failed(RoutingContext ctx) {
    int status = ctx.statusCode();
    if (status == 413) {
      error(ctx, 413, "the body is larger than " + MAX_BODY_BYTES + " bytes");
    } else if (status >= 400 && status < 500) {
      error(ctx, status, "bad request: " + String.valueOf(ctx.failure()));
    } else {
      LOG.warn("{} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
      error(ctx, 500, "internal error: " + String.valueOf(ctx.failure()));
    }
  }

  private static void error(RoutingContext ctx, int status, String message) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
        .end(new JsonObject().put("error", status).put("message", message).encode());
  }
}
