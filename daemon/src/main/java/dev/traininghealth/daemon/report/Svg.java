package dev.traininghealth.daemon.report;

import java.util.List;
import java.util.Locale;

/**
 * Inline SVG line charts for the report. Long series are thinned to at most {@value #MAX_POINTS}
 * points by keeping each bucket's smallest and largest value, so spikes survive; non-finite
 * values (and non-positive ones on a log axis) break the line and are marked at the bottom.
 */
final class Svg {
  static final int MAX_POINTS = 2000;
  private static final int W = 560;
  private static final int H = 220;
  private static final int L = 56;
  private static final int R = 10;
  private static final int T = 18;
  private static final int B = 22;

  /** One line: x values, y values, colour, whether dashed. */
  record Line(String label, String color, long[] x, double[] y, boolean dashed) {}

  private Svg() {}

  static String chart(String title, List<Line> lines, boolean log) {
    double x0 = Double.POSITIVE_INFINITY;
    double x1 = Double.NEGATIVE_INFINITY;
    double y0 = Double.POSITIVE_INFINITY;
    double y1 = Double.NEGATIVE_INFINITY;
    int n = 0;
    for (Line l : lines) {
      for (int i = 0; i < l.x.length; i++) {
        x0 = Math.min(x0, l.x[i]);
        x1 = Math.max(x1, l.x[i]);
        if (ok(l.y[i], log)) {
          double v = t(l.y[i], log);
          y0 = Math.min(y0, v);
          y1 = Math.max(y1, v);
          n++;
        }
      }
    }
    StringBuilder s = new StringBuilder();
    s.append("<svg class=\"chart\" viewBox=\"0 0 ").append(W).append(' ').append(H)
        .append("\" role=\"img\" aria-label=\"").append(Html.esc(title)).append("\">");
    s.append("<text x=\"").append(L).append("\" y=\"12\" class=\"title\">")
        .append(Html.esc(title)).append("</text>");
    if (n == 0) {
      s.append("<text x=\"").append(W / 2).append("\" y=\"").append(H / 2)
          .append("\" text-anchor=\"middle\">no data</text></svg>");
      return s.toString();
    }
    if (x1 == x0) {
      x0 -= 1;
      x1 += 1;
    }
    if (y1 == y0) {
      double d = Math.abs(y0) * 0.1 + (y0 == 0 ? 1 : 0);
      y0 -= d;
      y1 += d;
    }
    final double fx0 = x0, fx1 = x1, fy0 = y0, fy1 = y1;
    s.append(line(L, T, L, H - B)).append(line(L, H - B, W - R, H - B));
    s.append(label(L - 4, T + 8, "end", fmt(log ? Math.pow(10, y1) : y1)));
    s.append(label(L - 4, H - B, "end", fmt(log ? Math.pow(10, y0) : y0)));
    s.append(label(L, H - 6, "start", fmt(x0)));
    s.append(label(W - R, H - 6, "end", fmt(x1)));
    int lx = L + 160;
    for (Line l : lines) {
      StringBuilder pts = new StringBuilder();
      int step = Math.max(1, (int) Math.ceil(l.x.length / (MAX_POINTS / 2.0)));
      for (int start = 0; start < l.x.length; start += step) {
        int end = Math.min(l.x.length, start + step);
        int lo = -1;
        int hi = -1;
        boolean broken = false;
        for (int i = start; i < end; i++) {
          if (!ok(l.y[i], log)) {
            broken = true;
            continue;
          }
          if (lo < 0 || l.y[i] < l.y[lo]) {
            lo = i;
          }
          if (hi < 0 || l.y[i] > l.y[hi]) {
            hi = i;
          }
        }
        if (broken) {
          flush(s, pts, l);
          double bx = px(l.x[start], fx0, fx1);
          s.append(String.format(Locale.ROOT,
              "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"nonfinite\"/>", bx,
              H - B, bx, H - B - 6));
        }
        if (lo >= 0) {
          int a = Math.min(lo, hi);
          int b = Math.max(lo, hi);
          point(pts, l.x[a], l.y[a], log, fx0, fx1, fy0, fy1);
          if (b != a) {
            point(pts, l.x[b], l.y[b], log, fx0, fx1, fy0, fy1);
          }
        }
      }
      flush(s, pts, l);
      if (lines.size() > 1) {
        s.append("<text x=\"").append(lx).append("\" y=\"12\" fill=\"").append(l.color)
            .append("\">").append(Html.esc(l.label)).append("</text>");
        lx += 12 + 7 * l.label.length();
      }
    }
    return s.append("</svg>").toString();
  }

  private static void point(StringBuilder pts, long x, double y, boolean log, double x0,
      double x1, double y0, double y1) {
    double py = T + (1 - (t(y, log) - y0) / (y1 - y0)) * (H - T - B);
    pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", px(x, x0, x1), py));
  }

  private static double px(long x, double x0, double x1) {
    return L + (x - x0) / (x1 - x0) * (W - L - R);
  }

  private static void flush(StringBuilder s, StringBuilder pts, Line l) {
    if (pts.length() == 0) {
      return;
    }
    s.append("<polyline fill=\"none\" stroke=\"").append(l.color).append("\" stroke-width=\"1.3\"")
        .append(l.dashed ? " stroke-dasharray=\"5 4\"" : "").append(" points=\"")
        .append(pts.toString().trim()).append("\"/>");
    pts.setLength(0);
  }

  private static boolean ok(double y, boolean log) {
    return Double.isFinite(y) && (!log || y > 0);
  }

  private static double t(double y, boolean log) {
    return log ? Math.log10(y) : y;
  }

  private static String line(int x1, int y1, int x2, int y2) {
    return "<line x1=\"" + x1 + "\" y1=\"" + y1 + "\" x2=\"" + x2 + "\" y2=\"" + y2
        + "\" class=\"axis\"/>";
  }

  private static String label(int x, int y, String anchor, String text) {
    return "<text x=\"" + x + "\" y=\"" + y + "\" text-anchor=\"" + anchor + "\">"
        + Html.esc(text) + "</text>";
  }

  static String fmt(double v) {
    if (!Double.isFinite(v)) {
      return String.valueOf(v);
    }
    double a = Math.abs(v);
    if (a != 0 && (a < 1e-3 || a >= 1e5)) {
      return String.format(Locale.ROOT, "%.2e", v);
    }
    String s = String.format(Locale.ROOT, "%.4g", v);
    return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
  }
}
