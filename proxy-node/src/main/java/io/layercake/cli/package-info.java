/**
 * The {@code layercake} command line: {@code serve} starts a node; the admin verbs
 * ({@code cluster}, {@code images}, {@code rmi}, {@code prune}, {@code pin}, {@code unpin},
 * {@code pull}, {@code save}, {@code load}, {@code inspect}, {@code history}) talk to a node's
 * admin API over HTTP, one class per verb, and print docker-like output.
 */
package io.layercake.cli;
