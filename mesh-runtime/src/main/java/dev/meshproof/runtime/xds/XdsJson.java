package dev.meshproof.runtime.xds;

import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.admin.v3.ClustersConfigDump;
import io.envoyproxy.envoy.admin.v3.ConfigDump;
import io.envoyproxy.envoy.admin.v3.EndpointsConfigDump;
import io.envoyproxy.envoy.admin.v3.ListenersConfigDump;
import io.envoyproxy.envoy.admin.v3.RoutesConfigDump;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;

/** The protobuf types our xDS and config dumps contain, for printing them as Envoy's JSON. */
public final class XdsJson {
  public static final JsonFormat.TypeRegistry TYPES =
      JsonFormat.TypeRegistry.newBuilder()
          .add(Cluster.getDescriptor())
          .add(ClusterLoadAssignment.getDescriptor())
          .add(Listener.getDescriptor())
          .add(RouteConfiguration.getDescriptor())
          .add(HttpConnectionManager.getDescriptor())
          .add(Router.getDescriptor())
          .add(io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.getDescriptor())
          .add(io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault.getDescriptor())
          .add(io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors.getDescriptor())
          .add(io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy.getDescriptor())
          .add(FileAccessLog.getDescriptor())
          .add(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.getDescriptor())
          .add(
              io.envoyproxy.envoy.extensions.request_id.uuid.v3.UuidRequestIdConfig.getDescriptor())
          .add(
              io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
                  .getDescriptor())
          .add(
              io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
                  .getDescriptor())
          .add(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret.getDescriptor())
          .add(
              io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector
                  .getDescriptor())
          .add(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.getDescriptor())
          .add(io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.getDescriptor())
          // CUSTOM AuthorizationPolicies' ext_authz filter (ExtAuthzBuilder).
          .add(io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthz.getDescriptor())
          .add(com.github.xds.type.v3.TypedStruct.getDescriptor())
          // jwt_authn on inbound and gateway listeners (JwtAuthnBuilder).
          .add(
              io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication
                  .getDescriptor())
          .add(ConfigDump.getDescriptor())
          .add(ClustersConfigDump.getDescriptor())
          .add(ListenersConfigDump.getDescriptor())
          .add(RoutesConfigDump.getDescriptor())
          .add(EndpointsConfigDump.getDescriptor())
          .add(
              io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate
                  .getDescriptor())
          .add(
              io.envoyproxy.envoy.extensions.retry.priority.previous_priorities.v3
                  .PreviousPrioritiesConfig.getDescriptor())
          .build();

  private XdsJson() {}
}
