/**
 * One layercake node: loading its configuration and wiring storage, upstream clients, sharded
 * entities and the HTTP API together at start-up.
 */
package io.layercake.node;
