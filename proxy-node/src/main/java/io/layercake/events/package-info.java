/**
 * The cluster's events: a tag moved, a blob filled, a blob evicted or pruned. Each node logs them
 * all ({@link io.layercake.events.EventLog}, which {@code GET /admin/events} streams with resume from
 * an offset), and the node an event happened on delivers it to the operator's webhook as a
 * CloudEvent ({@link io.layercake.events.CacheEvents}).
 */
package io.layercake.events;
