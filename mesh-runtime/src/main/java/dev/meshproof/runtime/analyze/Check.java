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
  };

  abstract void run(AnalysisInput input, List<Finding> out);
}
