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
 * membership gossip Akka already runs, with nothing to keep in sync.
 */
public final class PeerDirectory {

  /** The role prefix that carries a node's advertised registry URL. */
  public static final String URL_ROLE_PREFIX = "url=";

  private final Cluster cluster;
  private final String selfUrl;

  /** The directory of the cluster {@code system} belongs to. */
  public PeerDirectory(ActorSystem<?> system, ClusterSettings settings) {
    this.cluster = Cluster.get(system);
    this.selfUrl = settings.advertisedUrl();
  }

  /** This node's advertised URL. */
  public String selfUrl() {
    return selfUrl;
  }

  /** Whether {@code url} is this node. */
  public boolean isSelf(String url) {
    return selfUrl.equals(url);
  }

  /** The URLs of the other members that are up, to ask for blobs they may hold. */
  public List<String> peerUrls() {
    List<String> urls = new ArrayList<>();
    for (Member member : members()) {
      if (member.status() == MemberStatus.up() || member.status() == MemberStatus.weaklyUp()) {
        urlOf(member).filter(url -> !isSelf(url)).ifPresent(urls::add);
      }
    }
    return urls;
  }

  /** Every member Akka knows, in address order. */
  public List<Member> members() {
    return StreamSupport.stream(cluster.state().getMembers().spliterator(), false).toList();
  }

  /** The advertised URL a member carries as a role. */
  public static Optional<String> urlOf(Member member) {
    return member.getRoles().stream()
        .filter(role -> role.startsWith(URL_ROLE_PREFIX))
        .map(role -> role.substring(URL_ROLE_PREFIX.length()))
        .findFirst();
  }
}
