package io.layercake.cluster;

import akka.actor.ActorSystem;
import akka.remote.artery.tcp.SSLEngineProvider;
import io.layercake.tls.ReloadingSslContext;
import io.layercake.tls.TlsContexts;
import java.nio.file.Path;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import scala.Option;

/*
 * Implementation notes
 *
 * Akka's tls-tcp transport with this node's cluster TLS files. Akka 2.8 ships
 * RotatingKeysSSLEngineProvider for the same job; this provider keeps its model (PEM files from
 * one directory, reloaded when rotated, mutual authentication, trust in the cluster's CA plus a
 * shared subject name) and adds what an operator needs from us: the same trust, and the same
 * code, on the node-to-node HTTPS listener; a refused handshake logged on the refusing side too
 * (Akka logs only the outbound side); any key type the JDK reads (Akka's reads RSA only) and
 * intermediate CAs. Instantiated by Akka from akka.remote.artery.ssl.ssl-engine-provider, so it
 * reads its directory from the configuration like every Akka extension.
 */

/** The SSL engines of Akka remoting: mutual TLS with {@code layercake.cluster.tls-dir}. */
public final class RemotingTls implements SSLEngineProvider {

  private static final String CHANNEL = "cluster remoting";

  private final ReloadingSslContext context;

  /** Called by Akka's remoting when it starts. */
  public RemotingTls(ActorSystem system) {
    Path dir = Path.of(system.settings().config().getString("layercake.cluster.tls-dir"));
    this.context = new ClusterTls(dir.toAbsolutePath().normalize()).reloading();
  }

  @Override
  public SSLEngine createServerSSLEngine(String hostname, int port) {
    return TlsContexts.clusterServerEngine(context.current(), CHANNEL);
  }

  @Override
  public SSLEngine createClientSSLEngine(String hostname, int port) {
    return TlsContexts.clusterClientEngine(context.current(), hostname, port, CHANNEL);
  }

  /** Nothing more to check: the trust manager checked the peer's certificate in the handshake. */
  @Override
  public Option<Throwable> verifyClientSession(String hostname, SSLSession session) {
    return Option.empty();
  }

  /** Nothing more to check: the trust manager checked the peer's certificate in the handshake. */
  @Override
  public Option<Throwable> verifyServerSession(String hostname, SSLSession session) {
    return Option.empty();
  }
}
