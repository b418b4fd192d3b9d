package dev.meshproof.runtime.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.meshproof.runtime.proxy.ProxyConfig.AccessLogConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.ConnectionManagerOptions;
import dev.meshproof.runtime.proxy.ProxyConfig.HttpConnectionManagerConfig;
import dev.meshproof.runtime.telemetry.AccessLogFormat;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLogFilter;
import io.envoyproxy.envoy.config.accesslog.v3.StatusCodeFilter;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.SubstitutionFormatString;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.RequestIDExtension;
import io.envoyproxy.envoy.extensions.request_id.uuid.v3.UuidRequestIdConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The connection manager fields the embedded sidecar honours ({@code stat_prefix}, {@code
 * access_log} with a JSON format it can render) decode; everything else it would ignore is NACKed.
 */
class XdsDecoderConnectionManagerTest {

  private static HttpConnectionManager.Builder hcm() {
    return HttpConnectionManager.newBuilder()
        .setStreamIdleTimeout(com.google.protobuf.Duration.getDefaultInstance())
        .setStatPrefix("outbound_0.0.0.0_9080")
        .setCodecType(HttpConnectionManager.CodecType.AUTO)
        .setRds(Rds.newBuilder().setRouteConfigName("outbound"))
        .addHttpFilters(
            HttpFilter.newBuilder()
                .setName("envoy.filters.http.router")
                .setTypedConfig(Any.pack(Router.getDefaultInstance())));
  }

  private static AccessLog fileLog(SubstitutionFormatString.Builder format) {
    return AccessLog.newBuilder()
        .setName("envoy.access_loggers.file")
        .setTypedConfig(
            Any.pack(
                FileAccessLog.newBuilder().setPath("/dev/stdout").setLogFormat(format).build()))
        .build();
  }

  private static SubstitutionFormatString.Builder json(Map<String, String> keys) {
    Struct.Builder struct = Struct.newBuilder();
    keys.forEach((k, v) -> struct.putFields(k, Value.newBuilder().setStringValue(v).build()));
    return SubstitutionFormatString.newBuilder().setJsonFormat(struct);
  }

  private static HttpConnectionManagerConfig decode(HttpConnectionManager.Builder hcm) {
    Listener listener =
        Listener.newBuilder()
            .setName("virtualOutbound")
            .setAddress(
                Address.newBuilder()
                    .setSocketAddress(
                        SocketAddress.newBuilder().setAddress("127.0.0.1").setPortValue(15001)))
            .addFilterChains(
                FilterChain.newBuilder()
                    .addFilters(
                        Filter.newBuilder()
                            .setName("envoy.http_connection_manager")
                            .setTypedConfig(Any.pack(hcm.build()))))
            .build();
    return ListenerDecoder.listener(listener).filterChains().get(0).httpConnectionManager();
  }

  @Test
  void statPrefixAndIstiosJsonAccessLogDecode() {
    HttpConnectionManagerConfig config =
        decode(hcm().addAccessLog(fileLog(json(AccessLogFormat.ISTIO_JSON))));

    assertThat(config.statPrefix()).isEqualTo("outbound_0.0.0.0_9080");
    assertThat(config.accessLogs())
        .containsExactly(new AccessLogConfig("/dev/stdout", AccessLogFormat.ISTIO_JSON));
  }

  @Test
  void anOperatorTheSidecarCannotRenderIsNacked() {
    assertThatThrownBy(
            () -> decode(hcm().addAccessLog(fileLog(json(Map.of("bytes_sent", "%BYTES_SENT%"))))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("access_log[0] 'envoy.access_loggers.file', json_format.bytes_sent")
        .hasMessageContaining("%BYTES_SENT%")
        .hasMessageContaining("expected one of: [%DURATION%");
  }

  @Test
  void aTextFormatAFilterAndAnotherLoggerAreNacked() {
    assertThatThrownBy(
            () ->
                decode(
                    hcm()
                        .addAccessLog(
                            fileLog(SubstitutionFormatString.newBuilder().setTextFormat("x")))))
        .hasMessageContaining("log_format TEXT_FORMAT is not supported")
        .hasMessageContaining("expected: json_format");
    assertThatThrownBy(
            () ->
                decode(
                    hcm()
                        .addAccessLog(
                            fileLog(json(AccessLogFormat.ISTIO_JSON)).toBuilder()
                                .setFilter(
                                    AccessLogFilter.newBuilder()
                                        .setStatusCodeFilter(
                                            StatusCodeFilter.getDefaultInstance())))))
        .hasMessageContaining("[filter] not supported by the embedded sidecar");
    assertThatThrownBy(
            () ->
                decode(
                    hcm()
                        .addAccessLog(
                            AccessLog.newBuilder()
                                .setName("envoy.access_loggers.stdout")
                                .setTypedConfig(Any.pack(Struct.getDefaultInstance())))))
        .hasMessageContaining("access_log[0] 'envoy.access_loggers.stdout' of type")
        .hasMessageContaining("expected: type.googleapis.com/envoy.extensions.access_loggers.file");
  }

  @Test
  void connectionManagerFieldsTheSidecarWouldIgnoreAreNacked() {
    assertThatThrownBy(() -> decode(hcm().setGenerateRequestId(BoolValue.of(false))))
        .hasMessageContaining("HTTP connection manager: [generate_request_id] not supported");
    assertThatThrownBy(() -> decode(hcm().setStatPrefix("")))
        .hasMessageContaining("stat_prefix is empty");
    assertThatThrownBy(() -> decode(hcm().setCodecType(HttpConnectionManager.CodecType.HTTP2)))
        .hasMessageContaining("codec_type HTTP2 is not supported by the embedded sidecar");
  }

  @Test
  void istiodsRequestPathSettingsDecodeIntoOptionsTheSidecarHonours() {
    HttpConnectionManagerConfig config =
        decode(
            hcm()
                .setNormalizePath(BoolValue.of(true))
                .setPathWithEscapedSlashesAction(
                    HttpConnectionManager.PathWithEscapedSlashesAction.KEEP_UNCHANGED)
                .setUseRemoteAddress(BoolValue.of(false))
                .addUpgradeConfigs(
                    HttpConnectionManager.UpgradeConfig.newBuilder().setUpgradeType("websocket"))
                .setServerHeaderTransformation(
                    HttpConnectionManager.ServerHeaderTransformation.OVERWRITE)
                .setServerName("istio-envoy")
                .setProxy100Continue(true)
                .setRequestIdExtension(
                    RequestIDExtension.newBuilder()
                        .setTypedConfig(
                            Any.pack(
                                UuidRequestIdConfig.newBuilder()
                                    .setUseRequestIdForTraceSampling(BoolValue.of(true))
                                    .build()))));
    assertThat(config.options())
        .isEqualTo(new ConnectionManagerOptions(true, false, true, "istio-envoy", true));
    assertThat(decode(hcm()).options()).isEqualTo(ConnectionManagerOptions.ENVOY_DEFAULTS);
  }

  @Test
  void requestPathSettingsTheSidecarDoesNotHonourAreNacked() {
    assertThatThrownBy(
            () ->
                decode(
                    hcm()
                        .setPathWithEscapedSlashesAction(
                            HttpConnectionManager.PathWithEscapedSlashesAction
                                .UNESCAPE_AND_REDIRECT)))
        .hasMessageContaining("path_with_escaped_slashes_action UNESCAPE_AND_REDIRECT");
    assertThatThrownBy(() -> decode(hcm().setUseRemoteAddress(BoolValue.of(true))))
        .hasMessageContaining("use_remote_address true is not supported");
    assertThatThrownBy(
            () ->
                decode(
                    hcm()
                        .addUpgradeConfigs(
                            HttpConnectionManager.UpgradeConfig.newBuilder()
                                .setUpgradeType("CONNECT"))))
        .hasMessageContaining("upgrade_type 'CONNECT' is not supported");
    assertThatThrownBy(() -> decode(hcm().clearStreamIdleTimeout()))
        .hasMessageContaining("stream_idle_timeout unset (Envoy's default 300s)");
    assertThatThrownBy(
            () ->
                decode(
                    hcm()
                        .setStreamIdleTimeout(
                            com.google.protobuf.Duration.newBuilder().setSeconds(5))))
        .hasMessageContaining("stream_idle_timeout PT5S is not supported");
    assertThatThrownBy(
            () ->
                decode(
                    hcm()
                        .setServerHeaderTransformation(
                            HttpConnectionManager.ServerHeaderTransformation.PASS_THROUGH)))
        .hasMessageContaining("server_header_transformation PASS_THROUGH");
  }
}
