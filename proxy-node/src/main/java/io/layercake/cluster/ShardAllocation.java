package io.layercake.cluster;

import akka.cluster.sharding.ConsistentHashingShardAllocationStrategy;
import akka.cluster.sharding.ShardCoordinator;

/*
 * Why consistent hashing
 *
 * Akka's default (least-shard) strategy balances shard counts, so a node that joins takes shards
 * from every node and a node that leaves scatters its shards anywhere. For a cache, every moved
 * shard is a set of blobs whose bytes are now on the wrong node: the new owner copies them from
 * the old one (peers before upstream), which costs disk and network. Consistent hashing puts
 * shards on a hash ring of the members, so a join moves only the shards that land on the new
 * node's arcs (about 1/N of them) and a leave moves only the leaving node's shards. Balance is
 * statistical rather than exact, which is fine with many shards.
 */

/** The shard allocation strategy of layercake's entities. */
public final class ShardAllocation {

  /** Shards moved per rebalance round, so a join does not move everything at once. */
  private static final int REBALANCE_LIMIT = 50;

  private ShardAllocation() {}

  /** Consistent hashing over the members, moving as few shards as possible on membership change. */
  public static ShardCoordinator.ShardAllocationStrategy consistentHashing() {
    return new ConsistentHashingShardAllocationStrategy(REBALANCE_LIMIT);
  }
}
