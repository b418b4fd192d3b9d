package dev.meshproof.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.runtime.config.VirtualService.HttpRoute;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * Route actions and the remaining match fields: what Istio's webhook accepts is parsed, what it
 * rejects is rejected at file:line:column with the field path.
 */
class RouteActionsParserTest {

  private static VirtualService parse(String http) {
    String yaml =
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: catalog}
        spec:
          hosts: [catalog]
          http:
        """
            + http.indent(2);
    return (VirtualService) IstioYamlParser.parse(yaml, "vs.yaml", "default").get(0);
  }

  private static String rejection(String http) {
    try {
      parse(http);
    } catch (InvalidConfigException e) {
      return e.getMessage();
    }
    throw new AssertionError("accepted: " + http);
  }

  @Test
  void everyActionAndMatchFieldIsParsed() {
    VirtualService vs =
        parse(
            """
            - match:
              - uri: {prefix: /old}
                queryParams: {version: {exact: v2}, canary: {}}
                scheme: {exact: http}
                port: 80
                sourceLabels: {app: client}
                sourceNamespace: default
              rewrite: {uri: /new, authority: other}
              headers:
                request: {set: {x-a: "1"}, add: {x-b: "2"}, remove: [x-c]}
                response: {set: {x-d: "3"}}
              route:
              - destination: {host: catalog}
                headers: {request: {set: {x-e: "4"}}}
            - match: [{uri: {exact: /moved}}]
              redirect: {uri: /here, authority: elsewhere, derivePort: FROM_REQUEST_PORT}
            - directResponse: {status: 418, body: {bytes: c2hvcnQ=}}
            """);
    HttpRoute rewrite = vs.http().get(0);
    assertThat(rewrite.match().get(0).queryParams())
        .containsEntry("version", new StringMatch(StringMatch.Kind.EXACT, "v2"))
        .containsEntry("canary", StringMatch.present());
    assertThat(rewrite.match().get(0).port()).isEqualTo(OptionalInt.of(80));
    assertThat(rewrite.match().get(0).sourceLabels()).isEqualTo(Map.of("app", "client"));
    assertThat(rewrite.actions().rewrite().orElseThrow().uri()).contains("/new");
    assertThat(rewrite.actions().headers().request().remove()).containsExactly("x-c");
    assertThat(rewrite.route().get(0).headers().request().set()).containsEntry("x-e", "4");
    assertThat(vs.http().get(1).actions().redirect().orElseThrow().derivePort())
        .contains(VirtualService.DerivePort.FROM_REQUEST_PORT);
    assertThat(vs.http().get(2).actions().directResponse())
        .contains(new VirtualService.HttpDirectResponse(418, Optional.of("short")));
  }

  @Test
  void theWebhooksConflictsAreRejectedWhereTheyAre() {
    assertThat(
            rejection(
                """
                - redirect: {uri: /x}
                  route:
                  - destination: {host: catalog}
                """))
        .contains("vs.yaml:9:")
        .contains("spec.http[0].route: HTTP route cannot contain both route and redirect");
    assertThat(
            rejection(
                """
                - directResponse: {status: 200}
                  rewrite: {uri: /x}
                """))
        .contains(
            "spec.http[0].rewrite: HTTP route rule cannot contain both rewrite and direct_response");
    assertThat(rejection("- name: nothing\n"))
        .contains("spec.http[0].route: HTTP route, redirect or direct_response is required");
  }

  @Test
  void invalidActionValuesAreRejectedAsIstioRejectsThem() {
    List<String[]> cases =
        List.of(
            new String[] {
              "- redirect: {}\n", "redirect must specify URI, authority, scheme, or port"
            },
            new String[] {
              "- redirect: {uri: /x, redirectCode: 200}\n", "200 is not a valid redirect code"
            },
            new String[] {"- redirect: {uri: /x, redirectCode: 399}\n", "cannot translate it"},
            new String[] {"- redirect: {scheme: ftp}\n", "invalid redirect scheme"},
            new String[] {"- directResponse: {status: 99}\n", "HTTP status 99 is not in range"},
            new String[] {"- directResponse: {}\n", "spec.http[0].directResponse.status"},
            new String[] {
              "- rewrite: {}\n  route: [{destination: {host: catalog}}]\n",
              "rewrite must specify at least one of URI"
            },
            new String[] {
              "- rewrite: {uri: /a, uriRegexRewrite: {match: a, rewrite: b}}\n  route: [{destination: {host: catalog}}]\n",
              "rewrite may only contain one of URI or UriRegexRewrite"
            },
            new String[] {
              "- rewrite: {uriRegexRewrite: {match: \"(\", rewrite: b}}\n  route: [{destination: {host: catalog}}]\n",
              "spec.http[0].rewrite.uriRegexRewrite.match"
            },
            new String[] {
              "- headers: {response: {set: {host: x}}}\n  route: [{destination: {host: catalog}}]\n",
              "cannot set Host header"
            },
            new String[] {
              "- headers: {request: {remove: [\":path\"]}}\n  route: [{destination: {host: catalog}}]\n",
              "header cannot have \":\" prefix"
            },
            new String[] {
              "- headers: {request: {set: {x-a: \"%HOSTNAME%\"}}}\n  route: [{destination: {host: catalog}}]\n",
              "%-operators are not supported by Meshproof yet"
            },
            new String[] {
              "- rewrite: {authority: a}\n  headers: {request: {set: {\":authority\": b}}}\n  route: [{destination: {host: catalog}}]\n",
              "authority header cannot be set multiple times"
            },
            new String[] {
              "- match: [{queryParams: {v: {prefix: \"\"}}}]\n  route: [{destination: {host: catalog}}]\n",
              "prefix string match should not be empty"
            },
            new String[] {
              "- match: [{sourceNamespace: Bad_NS}]\n  route: [{destination: {host: catalog}}]\n",
              "sourceNamespace match Bad_NS is invalid"
            });
    for (String[] c : cases) {
      assertThat(rejection(c[0])).as(c[0]).contains(c[1]).containsPattern("vs\\.yaml:\\d+:\\d+");
    }
  }

  @Test
  void fieldsNotImplementedYetAreStillRejected() {
    assertThatThrownBy(
            () -> parse("- match: [{statPrefix: s}]\n  route: [{destination: {host: catalog}}]\n"))
        .hasMessageContaining(
            "spec.http[0].match[0].statPrefix: valid Istio, but not supported by Meshproof yet");
  }

  @Test
  void aRootRuleDelegatesWithoutARouteOfItsOwn() {
    VirtualService vs =
        parse(
            "- name: api\n  match: [{uri: {prefix: /api}}]\n  delegate: {name: d, namespace: team}\n");
    assertThat(vs.http().get(0).delegate())
        .contains(new VirtualService.Delegate("d", Optional.of("team")));
    assertThat(vs.http().get(0).route()).isEmpty();
    assertThat(parse("- delegate: {name: d}\n").http().get(0).delegate())
        .contains(new VirtualService.Delegate("d", Optional.empty()));
  }

  @Test
  void aRootRuleWithRouteOrRedirectIsRejectedAsTheWebhookDoes() {
    assertThat(
            rejection(
                "- name: api\n  delegate: {name: d}\n  route: [{destination: {host: catalog}}]\n"))
        .contains("vs.yaml:9:")
        .contains("spec.http[0].route: root HTTP route api must not specify route");
    assertThat(rejection("- delegate: {name: d}\n  redirect: {uri: /x}\n"))
        .contains("spec.http[0].redirect: root HTTP route  must not specify redirect")
        .doesNotContain("both route and redirect");
  }

  @Test
  void aVirtualServiceWithoutHostsIsADelegate() {
    String delegate =
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: d}
        spec:
          exportTo: ["."]
          http:
          - route: [{destination: {host: catalog}}]
        """;
    VirtualService vs =
        (VirtualService) IstioYamlParser.parse(delegate, "d.yaml", "default").get(0);
    assertThat(vs.isDelegate()).isTrue();
    assertThat(vs.exportTo()).containsExactly(".");
  }

  @Test
  void aDelegateWithGatewaysOrNestedDelegationIsRejectedAsTheWebhookDoes() {
    String yaml =
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: d}
        spec:
          gateways: [mesh]
          http:
          - delegate: {name: other}
        """;
    assertThatThrownBy(() -> IstioYamlParser.parse(yaml, "d.yaml", "default"))
        .hasMessageContaining(
            "d.yaml:5:13: spec.gateways: delegate virtual service must have no gateways specified")
        .hasMessageContaining(
            "d.yaml:7:15: spec.http[0].delegate: delegate HTTP route cannot contain delegate");
    assertThatThrownBy(
            () ->
                IstioYamlParser.parse(
                    "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: d}\n"
                        + "spec: {}\n",
                    "d.yaml",
                    "default"))
        .hasMessageContaining("spec.http: http, tcp or tls must be provided in virtual service");
  }
}
