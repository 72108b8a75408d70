package io.layercake.cluster;

import akka.actor.typed.ActorSystem;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.StreamSupport;

/**
 * The registry URLs of the cluster's nodes. Each node carries its advertised URL as a cluster
 * role ({@code url=http://host:port}), so every member learns every other member's URL from the
 * membership gossip Akka already runs, with nothing to keep in sync. A node's URL is its name in
 * this code; a node with cluster TLS also carries where its mutually authenticated internal
 * listener is ({@code internal=https://host:port}), and requests to its internal endpoint go there.
 */
public final class PeerDirectory {

  /** The role prefix that carries a node's advertised registry URL. */
  public static final String URL_ROLE_PREFIX = "url=";

  /** The role prefix that carries the base URL of a node's internal TLS listener. */
  public static final String INTERNAL_ROLE_PREFIX = "internal=";

  private final Cluster cluster;
  private final String selfUrl;
  private final boolean internalTls;

  /** The directory of the cluster {@code system} belongs to. */
  public PeerDirectory(ActorSystem<?> system, ClusterSettings settings) {
    this.cluster = Cluster.get(system);
    this.selfUrl = settings.advertisedUrl();
    this.internalTls = settings.internalTls();
  }

  /** This node's advertised URL. */
  public String selfUrl() {
    return selfUrl;
  }

  /** Whether {@code url} is this node. */
  public boolean isSelf(String url) {
    return selfUrl.equals(url);
  }

  /**
   * The URLs of the other members that can answer for data they hold: the Up ones, then those
   * leaving gracefully. A leaving node still has its blobs and keeps its node-to-node listener
   * open until it exits, and its shards' new owners copy from it meanwhile (the fault harness
   * showed them fetching from upstream during a rolling restart while they asked only Up members).
   */
  public List<String> peerUrls() {
    List<String> urls = new ArrayList<>();
    List<String> leaving = new ArrayList<>();
    for (Member member : members()) {
      MemberStatus status = member.status();
      if (status == MemberStatus.up() || status == MemberStatus.weaklyUp()) {
        urlOf(member).filter(url -> !isSelf(url)).ifPresent(urls::add);
      } else if (status == MemberStatus.leaving() || status == MemberStatus.exiting()) {
        urlOf(member).filter(url -> !isSelf(url)).ifPresent(leaving::add);
      }
    }
    urls.addAll(leaving);
    return urls;
  }

  /** Every member Akka knows, in address order. */
  public List<Member> members() {
    return StreamSupport.stream(cluster.state().getMembers().spliterator(), false).toList();
  }

  /**
   * Where to send a request for the internal endpoint of the node named {@code url}: its internal
   * TLS listener if it has one, else its registry API. In a cluster with TLS there is no else: a
   * node that is no longer a member (or was never one) has no address, rather than the registry
   * port, where the cluster secret would travel outside mutual TLS.
   *
   * @throws IllegalStateException when the cluster has TLS and no member is {@code url}
   */
  public String internalBaseUrl(String url) {
    for (Member member : members()) {
      if (urlOf(member).filter(url::equals).isPresent()) {
        Optional<String> internal = role(member, INTERNAL_ROLE_PREFIX);
        if (internal.isPresent() || !internalTls) {
          return internal.orElse(url);
        }
      }
    }
    if (internalTls) {
      throw new IllegalStateException("no member " + url + " with a node-to-node TLS listener");
    }
    return url;
  }

  /** The advertised URL a member carries as a role. */
  public static Optional<String> urlOf(Member member) {
    return role(member, URL_ROLE_PREFIX);
  }

  private static Optional<String> role(Member member, String prefix) {
    return member.getRoles().stream()
        .filter(role -> role.startsWith(prefix))
        .map(role -> role.substring(prefix.length()))
        .findFirst();
  }
}
