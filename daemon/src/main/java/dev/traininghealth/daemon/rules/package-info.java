/**
 * The daemon's rules: the shipped defaults plus the rule files of the configured directories,
 * watched by polling and reloaded when they change, all or nothing ({@link
 * dev.traininghealth.daemon.rules.RuleReloader}), with their metrics.
 */
package dev.traininghealth.daemon.rules;
