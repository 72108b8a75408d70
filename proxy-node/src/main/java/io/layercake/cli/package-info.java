/**
 * The {@code layercake} command line: {@code serve} starts a node; {@code cluster}, {@code images},
 * {@code rmi}, {@code prune}, {@code pin} and {@code unpin} talk to a node's admin API.
 */
package io.layercake.cli;
