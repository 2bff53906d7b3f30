package dev.traininghealth.daemon.web;

import dev.traininghealth.daemon.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Mounts the web page and its live stream on the daemon's router. The page's few files are read
 * from the class path ({@code web/}) once, into memory, and served by name: the daemon's jar is
 * all that is deployed, and no request can reach another file.
 */
public final class WebRoutes {
  /** The page. */
  public static final String PAGE_PATH = "/";
  /** Its script and style sheet. */
  public static final String ASSETS_PATH = "/web/";
  /** Server-sent events: {@code jobs} snapshots and {@code alert} changes. */
  public static final String STREAM_PATH = "/api/stream";

  private static final Map<String, String> FILES = Map.of(
      "index.html", "text/html; charset=utf-8",
      "app.js", "text/javascript; charset=utf-8",
      "charts.js", "text/javascript; charset=utf-8",
      "style.css", "text/css; charset=utf-8");
  // Same origin only and no inline script: the page needs nothing else.
  private static final String CSP =
      "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'";

  private WebRoutes() {}

  /**
   * Adds {@code GET /}, {@code GET /web/<file>} and {@code GET /api/stream} to {@code router}.
   * Call it from the HTTP verticle's {@code start()}: the stream's timer and event-bus consumer
   * then belong to that verticle and go with it when it is undeployed.
   */
  public static LiveStream mount(Router router, Vertx vertx, Addresses addresses) {
    Map<String, Buffer> files = load();
    router.get(PAGE_PATH).handler(ctx -> serve(ctx, files, "index.html"));
    router.get(ASSETS_PATH + ":file").handler(ctx -> serve(ctx, files, ctx.pathParam("file")));
    LiveStream stream = LiveStream.start(vertx, addresses);
    router.get(STREAM_PATH).handler(stream::connect);
    return stream;
  }

  private static void serve(RoutingContext ctx, Map<String, Buffer> files, String name) {
    Buffer body = files.get(name);
    if (body == null) {
      ctx.next(); // the router's JSON 404
      return;
    }
    ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, FILES.get(name))
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        .putHeader("Content-Security-Policy", CSP)
        .putHeader("X-Content-Type-Options", "nosniff")
        .end(body);
  }

  private static Map<String, Buffer> load() {
    Map<String, Buffer> out = new LinkedHashMap<>();
    for (String name : FILES.keySet()) {
      try (InputStream in = WebRoutes.class.getClassLoader().getResourceAsStream("web/" + name)) {
        if (in == null) {
          throw new IllegalStateException("web/" + name + " missing from the class path");
        }
        out.put(name, Buffer.buffer(in.readAllBytes()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }
}
