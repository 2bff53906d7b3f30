/**
 * The daemon's live web page: {@link dev.traininghealth.daemon.web.WebRoutes} serves the page at
 * {@code /} (HTML, JS and CSS from the class path's {@code web/}, nothing fetched from elsewhere)
 * and {@link dev.traininghealth.daemon.web.LiveStream}, the server-sent events at {@code
 * /api/stream} that keep it up to date without reloads.
 */
package dev.traininghealth.daemon.web;
