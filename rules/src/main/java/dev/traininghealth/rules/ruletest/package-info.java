/**
 * Unit tests for rule files, as {@code promtool test rules} does for Prometheus: recorded events
 * in, expected alert states out. {@link dev.traininghealth.rules.ruletest.RuleTestRunner} reads
 * a YAML test file and prints PASS or FAIL per case.
 */
package dev.traininghealth.rules.ruletest;
