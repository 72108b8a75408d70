/**
 * Optional pull authentication: clients send HTTP Basic credentials that are checked against an
 * htpasswd file of bcrypt hashes ({@code htpasswd -B}), which is reloaded when it changes on disk,
 * and per-repository read rules decide which user may pull what. {@link
 * io.layercake.auth.PullAuthenticator} is the one object the HTTP layer calls; a verified user and
 * password are remembered (keyed by an HMAC, never by the password) so that the bcrypt cost is paid
 * once per client rather than on every blob request. With no htpasswd file configured, every pull
 * is allowed, as before. The package depends only on the root package.
 */
package io.layercake.auth;
