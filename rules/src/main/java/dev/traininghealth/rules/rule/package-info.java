/**
 * Rules bind detectors to alerts: a {@link dev.traininghealth.rules.rule.RuleSet} says which
 * detector with which parameters, how long it must hold, how severe it is and what to do; a
 * {@link dev.traininghealth.rules.rule.JobEvaluator} runs them over one job's events and walks
 * each alert through its lifecycle (inactive, pending, firing, resolved).
 */
package dev.traininghealth.rules.rule;
