/**
 * Shared test fixtures: deterministic generated images ({@link io.layercake.testkit.TestImage})
 * and the layouts clients read them from, in-JVM fakes of an upstream registry, and the harness
 * that runs real third-party software from Debian (docker-registry as upstream, skopeo as client)
 * as child processes on 127.0.0.1 for end-to-end tests. Everything here is test code; the main
 * sources never depend on it.
 */
package io.layercake.testkit;
