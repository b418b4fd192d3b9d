package dev.meshproof.runtime.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The status tracker tells a sync listener when a proxy becomes SYNCED at its current snapshot: at
 * the ACK that completes it, once per snapshot, again for a snapshot at a version the proxy held
 * before, and not for an ACK of an older response.
 */
class SyncListenerTest {
  private static final long STREAM = 7;
  private final XdsStatusTracker tracker = new XdsStatusTracker();
  private final List<String> heard = new ArrayList<>();

  private void expect(String snapshotVersion, String rdsVersion) {
    tracker.expect(
        "p",
        snapshotVersion,
        Map.of("RDS", new XdsStatusTracker.Expected(rdsVersion, Set.of("routes"))));
  }

  private DiscoveryRequest request(String version, String nonce) {
    return DiscoveryRequest.newBuilder()
        .setNode(Node.newBuilder().setId("p"))
        .setTypeUrl(XdsNames.TYPE_ROUTE)
        .setVersionInfo(version)
        .setResponseNonce(nonce)
        .addResourceNames("routes")
        .build();
  }

  private void send(String version, String nonce) {
    tracker.onV3StreamResponse(
        STREAM,
        request("", ""),
        DiscoveryResponse.newBuilder()
            .setTypeUrl(XdsNames.TYPE_ROUTE)
            .setVersionInfo(version)
            .setNonce(nonce)
            .addResources(Any.pack(RouteConfiguration.newBuilder().setName("routes").build()))
            .build());
  }

  @Test
  void toldOncePerSnapshotAtTheAckThatCompletesIt() {
    tracker.onV3StreamRequest(STREAM, request("", ""));
    ControlPlane.SyncListener listener = (proxy, version) -> heard.add(proxy + "@" + version);
    tracker.addSyncListener(listener);

    expect("s1", "r1");
    send("r1", "1");
    assertThat(heard).isEmpty(); // sent, not yet ACKed
    tracker.onV3StreamRequest(STREAM, request("r1", "1"));
    assertThat(heard).containsExactly("p@s1");
    tracker.onV3StreamRequest(STREAM, request("r1", "1"));
    assertThat(heard).containsExactly("p@s1"); // once per snapshot

    expect("s2", "r2");
    send("r2", "2");
    tracker.onV3StreamRequest(STREAM, request("r1", "1")); // an ACK of the older response
    assertThat(heard).containsExactly("p@s1");
    tracker.onV3StreamRequest(STREAM, request("r2", "2"));
    assertThat(heard).containsExactly("p@s1", "p@s2");

    // Back to the first content (a change undone): a new snapshot, told again.
    expect("s1", "r1");
    send("r1", "3");
    tracker.onV3StreamRequest(STREAM, request("r1", "3"));
    assertThat(heard).containsExactly("p@s1", "p@s2", "p@s1");

    tracker.removeSyncListener(listener);
    expect("s2", "r2");
    send("r2", "4");
    tracker.onV3StreamRequest(STREAM, request("r2", "4"));
    assertThat(heard).hasSize(3);
    assertThat(tracker.statuses().get("p").synced()).isTrue();
  }
}
