package io.layercake.events;

import com.typesafe.config.Config;
import io.layercake.SettingsChecks;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Settings of the event log and the webhook, read from {@code layercake.events}.
 *
 * @param retain how many events each node's log keeps, the newest
 * @param webhook where events are delivered as CloudEvents, if anywhere
 */
public record EventSettings(long retain, Optional<WebhookSettings> webhook) {

  /**
   * The webhook's settings.
   *
   * @param url the receiver, http or https
   * @param token a bearer token sent to it, or empty for none
   * @param queueSize how many events wait for delivery at most; past it new ones are dropped
   * @param minBackoff the wait before the first retry of a failed delivery
   * @param maxBackoff the longest wait between retries (the wait doubles up to it)
   * @param timeout how long one delivery waits for the receiver's answer
   */
  public record WebhookSettings(URI url, String token, int queueSize, Duration minBackoff, Duration maxBackoff,
      Duration timeout) {

    /**
     * The receiver as logs name it: scheme, host, port and path, without a user and password or
     * a query that may carry a secret.
     */
    public String shown() {
      return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
          + (url.getRawPath() == null ? "" : url.getRawPath());
    }

    /** Never prints the token, nor a password in the URL. */
    @Override
    public String toString() {
      return "WebhookSettings[url=" + shown() + ", token=" + (token.isEmpty() ? "none" : "(set)") + "]";
    }
  }

  /** Reads and validates {@code layercake.events}. */
  public static EventSettings fromConfig(Config config) {
    long retain = SettingsChecks.positiveInt(config, "layercake.events.retain");
    String url = config.getString("layercake.events.webhook.url").strip();
    if (url.isEmpty()) {
      return new EventSettings(retain, Optional.empty());
    }
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("layercake.events.webhook.url is not a URL: " + url);
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
      throw new IllegalArgumentException("layercake.events.webhook.url must be an http or https URL, got " + url);
    }
    Duration min = SettingsChecks.positiveDuration(config, "layercake.events.webhook.min-backoff");
    Duration max = SettingsChecks.positiveDuration(config, "layercake.events.webhook.max-backoff");
    if (max.compareTo(min) < 0) {
      throw new IllegalArgumentException("layercake.events.webhook.max-backoff must not be shorter than min-backoff");
    }
    return new EventSettings(retain, Optional.of(new WebhookSettings(uri,
        config.getString("layercake.events.webhook.token"),
        SettingsChecks.positiveInt(config, "layercake.events.webhook.queue-size"), min, max,
        SettingsChecks.positiveDuration(config, "layercake.events.webhook.timeout"))));
  }
}
