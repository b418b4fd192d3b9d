package dev.meshproof.runtime.analyze;

import java.util.List;

/**
 * The analyzers, each after one of Istio's ({@code pkg/config/analysis/analyzers}); {@link
 * Analyzer} runs them all, in this order.
 */
enum Check {
  /** {@code virtualservice.DestinationHostAnalyzer}: IST0101 host / host:port, IST0112. */
  VIRTUAL_SERVICE_DESTINATION_HOSTS {
    @Override
    void run(AnalysisInput input, List<Finding> out) {
      DestinationChecks.hosts(input, out);
    }
  },
  /** {@code virtualservice.DestinationRuleAnalyzer}: IST0101 host+subset. */
  VIRTUAL_SERVICE_DESTINATION_RULES {
    @Override
    void run(AnalysisInput input, List<Finding> out) {
      DestinationChecks.subsets(input, out);
    }
  },
  /** {@code destinationrule.CaCertificateAnalyzer}: IST0128, IST0129. */
  DESTINATION_RULE_CA_CERTIFICATES {
    @Override
    void run(AnalysisInput input, List<Finding> out) {
      DestinationRuleTlsCheck.run(input, out);
    }
  },
  /** {@code service.PortNameAnalyzer}: IST0118. */
  SERVICE_PORT_NAMES {
    @Override
    void run(AnalysisInput input, List<Finding> out) {
      ServicePortNameCheck.run(input, out);
    }
  },
  /** {@code serviceentry.ProtocolAddressesAnalyzer}: IST0134. */
  SERVICE_ENTRY_ADDRESSES {
    @Override
    void run(AnalysisInput input, List<Finding> out) {
      ServiceEntryChecks.addresses(input, out);
    }
  },
  /** {@code serviceentry.ConflictingServiceEntryProtocolAnalyzer}: IST0177. */
  SERVICE_ENTRY_CONFLICTING_PROTOCOLS {
    @Override
    void run(AnalysisInput input, List<Finding> out) {
      ServiceEntryChecks.conflictingProtocols(input, out);
    }
  },
  /** {@code destinationrule.SubsetSelectPodAnalyzer}: IST0174, IST0173. */
  DESTINATION_RULE_SUBSETS {
    @Override
    void run(AnalysisInput input, List<Finding> out) {
      DestinationRuleSubsetCheck.run(input, out);
    }
  },
  /** VirtualService validation's unreachable rules: IST0130, IST0131. */
  VIRTUAL_SERVICE_UNREACHABLE_RULES {
    @Override
    void run(AnalysisInput input, List<Finding> out) {
      VirtualServiceRulesCheck.run(input, out);
    }
  },
  /** {@code virtualservice.GatewayAnalyzer}: IST0101 gateway, IST0132. */
  VIRTUAL_SERVICE_GATEWAYS {
    @Override
    void run(AnalysisInput input, List<Finding> out) {
      VirtualServiceGatewaysCheck.run(input, out);
    }
  },
  /** {@code gateway.ConflictingGatewayAnalyzer}: IST0101 selector, IST0145. */
  CONFLICTING_GATEWAYS {
    @Override
    void run(AnalysisInput input, List<Finding> out) {
      ConflictingGatewaysCheck.run(input, out);
    }
  },
  /**
   * {@code gateway.IngressGatewayPortAnalyzer}: IST0101 selector (no pod), IST0162 (a server port
   * no selecting Service exposes).
   */
  GATEWAY_PORTS {
    @Override
    void run(AnalysisInput input, List<Finding> out) {
      GatewayPortCheck.run(input, out);
    }
  },
  /** {@code sidecar.SelectorAnalyzer}: IST0101 selector, IST0110, IST0111, IST0167. */
  SIDECAR_SELECTORS {
    @Override
    void run(AnalysisInput input, List<Finding> out) {
      SidecarSelectorCheck.run(input, out);
    }
  },
  /**
   * {@code authz.AuthorizationPoliciesAnalyzer} (no matching workloads): IST0127, also for
   * RequestAuthentication.
   */
  POLICY_SELECTORS {
    @Override
    void run(AnalysisInput input, List<Finding> out) {
      PolicySelectorCheck.run(input, out);
    }
  };

  abstract void run(AnalysisInput input, List<Finding> out);
}
