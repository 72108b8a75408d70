package io.layercake.cluster;

import java.util.List;
import java.util.Map;

/**
 * The cluster as one node sees it: {@code GET /admin/cluster}, the status page, and what
 * {@code layercake cluster} prints. Holds nothing secret.
 *
 * @param self this node's remoting host:port
 * @param dataPlane how nodes transfer blobs ({@code http} or {@code https})
 * @param coordinator the oldest Up member's host:port, where the shard coordinators run, or null
 * @param members every member
 */
public record ClusterReport(String self, String dataPlane, String coordinator, List<Node> members) {

  /**
   * One member.
   *
   * @param address its remoting host:port
   * @param status Up, Joining, Leaving...
   * @param reachable whether this node's failure detector reaches it
   * @param url its advertised registry URL, or null
   * @param shards the shards it hosts, per entity type ({@code blob}, {@code tag})
   * @param blobs the blobs on its disk, or null if it did not answer
   * @param blobBytes their bytes, or null if it did not answer
   */
  public record Node(String address, String status, boolean reachable, String url, Map<String, Integer> shards,
      Long blobs, Long blobBytes) {}

  /**
   * A node's storage totals, as its internal endpoint answers them.
   *
   * @param blobs committed blobs
   * @param blobBytes their bytes
   */
  public record Storage(long blobs, long blobBytes) {}
}
