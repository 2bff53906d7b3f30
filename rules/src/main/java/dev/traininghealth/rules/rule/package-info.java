/**
 * Rules bind detectors to alerts: a {@link dev.traininghealth.rules.rule.RuleSet} says which
 * detector with which parameters, how long it must hold, how severe it is and what to do; a
 * {@link dev.traininghealth.rules.rule.JobEvaluator} runs them over one job's events and walks
 * each alert through its lifecycle (inactive, pending, firing, resolved), asking for the rungs
 * of the action ladder as {@link dev.traininghealth.rules.rule.ActionRequest}s.
 * {@link dev.traininghealth.rules.rule.RuleFileLoader} reads rule files (YAML) and reports every
 * error with its line and column; the shipped rules are the resource
 * {@code dev/traininghealth/rules/default-rules.yaml}.
 */
package dev.traininghealth.rules.rule;
