package io.layercake.loadtest;

import io.layercake.testkit.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The mirrors layercake is measured against, configured the way their users configure them as a
 * Docker Hub cache, each on a free loopback port with its own storage under the work folder.
 */
final class Peers {

  /** {@code registry:2} (Debian's docker-registry, distribution 2.8) in proxy mode. */
  static final String DISTRIBUTION = "registry:2 proxy";
  /** nginx {@code proxy_cache} in front of upstream, keyed as a registry cache should be. */
  static final String NGINX_CACHE = "nginx cache";
  /** nginx serving the blob as a static file: the loopback ceiling for blob throughput. */
  static final String NGINX_STATIC = "nginx static file";

  private Peers() {}

  /** Why a peer cannot run here, or empty when it can. */
  static Optional<String> missing(String peer) {
    String binary = peer.equals(DISTRIBUTION) ? "docker-registry" : "nginx";
    return Executables.find(binary).isPresent()
        ? Optional.empty()
        : Optional.of(binary + " is not installed (apt-get install " + binary + ")");
  }

  /** Starts docker-registry as a pull-through cache of {@code upstreamUrl}. */
  static Mirror distribution(Path work, String upstreamUrl) throws IOException {
    Path dir = Files.createDirectories(work.resolve("registry2"));
    int port = FreePorts.next();
    Path config = dir.resolve("config.yml");
    Files.writeString(config, """
        version: 0.1
        log:
          level: warn
          accesslog:
            disabled: true
        storage:
          filesystem:
            rootdirectory: %s
          delete:
            enabled: true
        http:
          addr: 127.0.0.1:%d
        proxy:
          remoteurl: %s
        """.formatted(dir.resolve("storage"), port, upstreamUrl));
    Path binary = Executables.find("docker-registry").orElseThrow();
    return PeerProcess.start(DISTRIBUTION, "http://127.0.0.1:" + port,
        List.of(binary.toString(), "serve", config.toString()), dir);
  }

  /**
   * Starts nginx as a registry cache of {@code upstreamHostPort}: blobs keyed by digest alone and
   * kept a week, with {@code proxy_cache_lock} so one request fills each; manifests by digest kept
   * a week; manifests by tag kept for {@code tagTtl}, the same freshness layercake gets.
   */
  static Mirror nginxCache(Path work, String upstreamHostPort, Duration tagTtl) throws IOException {
    Path dir = Files.createDirectories(work.resolve("nginx-cache"));
    Files.createDirectories(dir.resolve("cache"));
    int port = FreePorts.next();
    String server = """
          proxy_cache_path %1$s/cache levels=1:2 keys_zone=registry:16m max_size=50g inactive=7d use_temp_path=off;
          upstream registry { server %2$s; keepalive 32; }
          server {
            listen 127.0.0.1:%3$d;
            client_max_body_size 0;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_read_timeout 900s;
            proxy_buffering on;
            proxy_cache_methods GET HEAD;
            proxy_cache_lock on;
            proxy_cache_lock_timeout 900s;
            proxy_cache_lock_age 900s;
            proxy_cache_use_stale error timeout updating;
            location ~ "^/v2/(?<repo>.+)/blobs/(?<digest>sha256:[a-f0-9]{64})$" {
              proxy_pass http://registry;
              proxy_cache registry;
              proxy_cache_key $digest;
              proxy_cache_valid 200 7d;
            }
            location ~ "^/v2/(?<repo>.+)/manifests/(?<digest>sha256:[a-f0-9]{64})$" {
              proxy_pass http://registry;
              proxy_cache registry;
              proxy_cache_key "$repo@$digest|$http_accept";
              proxy_cache_valid 200 7d;
            }
            location ~ "^/v2/(?<repo>.+)/manifests/(?<tag>[^/]+)$" {
              proxy_pass http://registry;
              proxy_cache registry;
              proxy_cache_key "$repo:$tag|$http_accept";
              proxy_cache_valid 200 %4$ds;
            }
            location /v2/ {
              proxy_pass http://registry;
            }
            location / { return 404; }
          }
        """.formatted(dir, upstreamHostPort, port, tagTtl.toSeconds());
    return nginx(NGINX_CACHE, dir, port, server);
  }

  /**
   * Starts nginx serving {@code file} at {@code urlPath} with sendfile: what a plain web server
   * does with the same bytes on the same disk.
   */
  static Mirror nginxStatic(Path work, Path file, String urlPath) throws IOException {
    Path dir = Files.createDirectories(work.resolve("nginx-static"));
    Path root = dir.resolve("root");
    Path target = root.resolve(urlPath.substring(1));
    Files.createDirectories(target.getParent());
    Files.deleteIfExists(target);
    Files.createLink(target, file);
    Files.createDirectories(root.resolve("v2"));
    int port = FreePorts.next();
    String server = """
          server {
            listen 127.0.0.1:%2$d;
            root %1$s;
            default_type application/octet-stream;
            location / { }
          }
        """.formatted(root, port);
    return nginx(NGINX_STATIC, dir, port, server);
  }

  private static Mirror nginx(String name, Path dir, int port, String servers) throws IOException {
    boolean root = "root".equals(System.getProperty("user.name"));
    String config = """
        %1$s
        worker_processes 2;
        daemon off;
        pid %2$s/nginx.pid;
        error_log %2$s/error.log warn;
        events { worker_connections 4096; }
        http {
          access_log off;
          client_body_temp_path %2$s/tmp-body;
          proxy_temp_path %2$s/tmp-proxy;
          fastcgi_temp_path %2$s/tmp-fastcgi;
          uwsgi_temp_path %2$s/tmp-uwsgi;
          scgi_temp_path %2$s/tmp-scgi;
          sendfile on;
          tcp_nopush on;
          keepalive_requests 1000000;
        %3$s
        }
        """.formatted(root ? "user root;" : "", dir, servers);
    Path file = dir.resolve("nginx.conf");
    Files.writeString(file, config);
    Path binary = Executables.find("nginx").orElseThrow();
    return PeerProcess.start(name, "http://127.0.0.1:" + port,
        List.of(binary.toString(), "-c", file.toString(), "-e", dir.resolve("error.log").toString()), dir);
  }
}
