/**
 * The demo and the end-to-end harness: a daemon with its embedded broker, and zoo jobs trained
 * with the agent attached. This module sits at the top of the dependency graph (it assembles
 * agent, daemon and zoo); nothing depends on it.
 */
package dev.traininghealth.demo;
