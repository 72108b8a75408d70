package io.layercake.tls;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Implementation notes
 *
 * A node-to-node handshake can fail on either side first: the node that connects checks the
 * other's certificate before it shows its own, so a node from another cluster is usually refused
 * by itself, and the node it knocked on only receives an alert. Akka logs failed outbound
 * handshakes but not inbound ones, and Akka HTTP logs neither above debug. The operator of a
 * cluster must see both, so every cluster engine is wrapped in this delegate, which logs the
 * failure wherever the engine reports it (wrap, unwrap) and rethrows it untouched. A peer that
 * retries every few seconds is logged once a minute per distinct failure, and no more than
 * twenty failures a minute are logged in all (then one line says how many were not), so that a
 * host presenting a new certificate each time cannot fill the log.
 */

/** An {@link SSLEngine} that logs a failed handshake, then behaves exactly like the engine it wraps. */
final class HandshakeLoggingEngine extends SSLEngine {

  private static final Logger log = LoggerFactory.getLogger(HandshakeLoggingEngine.class);
  private static final long LOG_EVERY_NANOS = 60_000_000_000L;
  private static final Map<String, Long> LAST_LOGGED = new ConcurrentHashMap<>();
  private static final int MAX_PER_MINUTE = 20;
  private static final AtomicLong MINUTE_STARTED = new AtomicLong(System.nanoTime());
  private static final AtomicInteger LOGGED_THIS_MINUTE = new AtomicInteger();
  private static final AtomicInteger SUPPRESSED = new AtomicInteger();

  private final SSLEngine engine;
  private final String channel;

  HandshakeLoggingEngine(SSLEngine engine, String channel) {
    super(engine.getPeerHost(), engine.getPeerPort());
    this.engine = engine;
    this.channel = channel;
  }

  @Override
  public SSLEngineResult wrap(ByteBuffer[] sources, int offset, int length, ByteBuffer destination)
      throws SSLException {
    try {
      return engine.wrap(sources, offset, length, destination);
    } catch (SSLException e) {
      logFailure(e);
      throw e;
    }
  }

  @Override
  public SSLEngineResult unwrap(ByteBuffer source, ByteBuffer[] destinations, int offset, int length)
      throws SSLException {
    try {
      return engine.unwrap(source, destinations, offset, length);
    } catch (SSLException e) {
      logFailure(e);
      throw e;
    }
  }

  private void logFailure(SSLException failure) {
    String peer = engine.getUseClientMode()
        ? "connecting to " + engine.getPeerHost() + ":" + engine.getPeerPort()
        : "accepting a connection";
    String message = failure.getMessage();
    String key = channel + "|" + peer + "|" + message;
    long now = System.nanoTime();
    Long last = LAST_LOGGED.get(key);
    if (last != null && now - last < LOG_EVERY_NANOS) {
      return;
    }
    if (LAST_LOGGED.size() > 1000) {
      LAST_LOGGED.clear();
    }
    LAST_LOGGED.put(key, now);
    long started = MINUTE_STARTED.get();
    if (now - started >= LOG_EVERY_NANOS && MINUTE_STARTED.compareAndSet(started, now)) {
      LOGGED_THIS_MINUTE.set(0);
      int suppressed = SUPPRESSED.getAndSet(0);
      if (suppressed > 0) {
        log.warn("{} more failed TLS handshakes were not logged in the last minute", suppressed);
      }
    }
    if (LOGGED_THIS_MINUTE.incrementAndGet() > MAX_PER_MINUTE) {
      SUPPRESSED.incrementAndGet();
      return;
    }
    log.warn("TLS handshake failed on {}, {}: {}. Only nodes holding a certificate issued by this cluster's CA"
        + " may connect (a 'certificate_unknown' or 'bad_certificate' alert means the other side refused this"
        + " node's certificate)", channel, peer, message);
  }

  @Override
  public Runnable getDelegatedTask() {
    return engine.getDelegatedTask();
  }

  @Override
  public void closeInbound() throws SSLException {
    engine.closeInbound();
  }

  @Override
  public boolean isInboundDone() {
    return engine.isInboundDone();
  }

  @Override
  public void closeOutbound() {
    engine.closeOutbound();
  }

  @Override
  public boolean isOutboundDone() {
    return engine.isOutboundDone();
  }

  @Override
  public String[] getSupportedCipherSuites() {
    return engine.getSupportedCipherSuites();
  }

  @Override
  public String[] getEnabledCipherSuites() {
    return engine.getEnabledCipherSuites();
  }

  @Override
  public void setEnabledCipherSuites(String[] suites) {
    engine.setEnabledCipherSuites(suites);
  }

  @Override
  public String[] getSupportedProtocols() {
    return engine.getSupportedProtocols();
  }

  @Override
  public String[] getEnabledProtocols() {
    return engine.getEnabledProtocols();
  }

  @Override
  public void setEnabledProtocols(String[] protocols) {
    engine.setEnabledProtocols(protocols);
  }

  @Override
  public SSLSession getSession() {
    return engine.getSession();
  }

  @Override
  public SSLSession getHandshakeSession() {
    return engine.getHandshakeSession();
  }

  @Override
  public void beginHandshake() throws SSLException {
    try {
      engine.beginHandshake();
    } catch (SSLException e) {
      logFailure(e);
      throw e;
    }
  }

  @Override
  public SSLEngineResult.HandshakeStatus getHandshakeStatus() {
    return engine.getHandshakeStatus();
  }

  @Override
  public void setUseClientMode(boolean mode) {
    engine.setUseClientMode(mode);
  }

  @Override
  public boolean getUseClientMode() {
    return engine.getUseClientMode();
  }

  @Override
  public void setNeedClientAuth(boolean need) {
    engine.setNeedClientAuth(need);
  }

  @Override
  public boolean getNeedClientAuth() {
    return engine.getNeedClientAuth();
  }

  @Override
  public void setWantClientAuth(boolean want) {
    engine.setWantClientAuth(want);
  }

  @Override
  public boolean getWantClientAuth() {
    return engine.getWantClientAuth();
  }

  @Override
  public void setEnableSessionCreation(boolean enable) {
    engine.setEnableSessionCreation(enable);
  }

  @Override
  public boolean getEnableSessionCreation() {
    return engine.getEnableSessionCreation();
  }

  @Override
  public SSLParameters getSSLParameters() {
    return engine.getSSLParameters();
  }

  @Override
  public void setSSLParameters(SSLParameters parameters) {
    engine.setSSLParameters(parameters);
  }

  @Override
  public String getApplicationProtocol() {
    return engine.getApplicationProtocol();
  }

  @Override
  public String getHandshakeApplicationProtocol() {
    return engine.getHandshakeApplicationProtocol();
  }

  @Override
  public void setHandshakeApplicationProtocolSelector(BiFunction<SSLEngine, List<String>, String> selector) {
    engine.setHandshakeApplicationProtocolSelector(selector);
  }

  @Override
  public BiFunction<SSLEngine, List<String>, String> getHandshakeApplicationProtocolSelector() {
    return engine.getHandshakeApplicationProtocolSelector();
  }
}
