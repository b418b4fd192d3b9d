package dev.meshproof.runtime.policy.lb;

/**
 * A DestinationRule's {@code loadBalancer.consistentHash}: what the route hashes ({@code
 * hash_policy} on the route's action) and the table the cluster looks the hash up in ({@code
 * lb_policy} RING_HASH or MAGLEV).
 */
public record ConsistentHash(HashPolicy hashKey, ConsistentHashLb table) {}
