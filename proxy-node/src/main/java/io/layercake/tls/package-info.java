/**
 * TLS from PEM files, the way Kubernetes secrets and cert-manager mount them: reading keys and
 * certificates ({@link io.layercake.tls.PemFiles}), turning them into SSL contexts for the
 * registry port and for mutually authenticated node-to-node transfers
 * ({@link io.layercake.tls.TlsContexts}), and picking up rotated files without a restart
 * ({@link io.layercake.tls.ReloadingSslContext}). It depends on no other package.
 */
package io.layercake.tls;
