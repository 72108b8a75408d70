/** The {@code layercake} command line: {@code serve} starts a node. */
package io.layercake.cli;
