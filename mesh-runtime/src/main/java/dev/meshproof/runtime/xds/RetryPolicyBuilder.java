package dev.meshproof.runtime.xds;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import dev.meshproof.runtime.config.VirtualService.HttpRetry;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate;
import io.envoyproxy.envoy.extensions.retry.priority.previous_priorities.v3.PreviousPrioritiesConfig;
import java.util.List;
import java.util.Optional;

/**
 * The retry policy of an outbound route, as istiod's {@code
 * pilot/pkg/networking/core/route/retry/retry.go} builds it: the default policy (the retriable
 * status codes from the Istio profile), or a VirtualService's {@code retries} over it.
 */
final class RetryPolicyBuilder {
  private final TranslationInput input;

  RetryPolicyBuilder(TranslationInput input) {
    this.input = input;
  }

  /**
   * istiod's default retry policy ({@code pilot/pkg/networking/core/route/retry/retry.go} {@code
   * DefaultPolicy}, see notes/istiod-defaults.md section 1): 2 retries on connect-failure,
   * refused-stream, unavailable, cancelled and retriable-status-codes, avoiding previous hosts with
   * 5 host selection attempts. The retriable status codes come from the profile: {@code [503]} up
   * to Istio 1.23, none since 1.24. With a consistent hash on the route, without the previous-hosts
   * predicate ({@code newRetryPolicy(hashPolicy)}, retry.go), so a retry stays on the key's host.
   */
  RetryPolicy.Builder defaultRetryPolicy(boolean consistentHash) {
    RetryPolicy.Builder policy =
        RetryPolicy.newBuilder()
            .setRetryOn(DEFAULT_RETRY_ON)
            .setNumRetries(UInt32Value.of(2))
            .setHostSelectionRetryMaxAttempts(5);
    if (!consistentHash) {
      policy.addRetryHostPredicate(
          RetryPolicy.RetryHostPredicate.newBuilder()
              .setName("envoy.retry_host_predicates.previous_hosts")
              .setTypedConfig(Any.pack(PreviousHostsPredicate.getDefaultInstance())));
    }
    policy.addAllRetriableStatusCodes(input.profile().defaultRetriableStatusCodes());
    return policy;
  }

  /** Istio's default {@code retry_on} (retry.go :37; the API doc omits retriable-status-codes). */
  static final String DEFAULT_RETRY_ON =
      "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes";

  /**
   * istiod's {@code ConvertPolicy} (retry.go :107): no {@code retries} is the default policy;
   * {@code attempts: 0} is no policy at all; otherwise the default with {@code num_retries}, {@code
   * retryOn} split by {@code parseRetryOn} (status codes to {@code retriable_status_codes}, {@code
   * retriable-status-codes} appended when codes exist), {@code per_try_timeout}, and {@code
   * retryRemoteLocalities} as the {@code previous_priorities} retry priority.
   */
  Optional<RetryPolicy.Builder> retryPolicy(Optional<HttpRetry> retries, boolean consistentHash) {
    if (retries.isEmpty()) {
      return Optional.of(defaultRetryPolicy(consistentHash));
    }
    HttpRetry in = retries.get();
    if (in.attempts() <= 0) {
      return Optional.empty();
    }
    RetryPolicy.Builder policy =
        defaultRetryPolicy(consistentHash).setNumRetries(UInt32Value.of(in.attempts()));
    in.perTryTimeout().ifPresent(t -> policy.setPerTryTimeout(XdsProtos.duration(t)));
    if (in.retryOn().isPresent() && !in.retryOn().get().isEmpty()) {
      List<String> policies = new java.util.ArrayList<>();
      List<Integer> codes = new java.util.ArrayList<>();
      for (String part : in.retryOn().get().split(",")) {
        String token = part.strip();
        if (token.matches("[0-9]{3}")) {
          codes.add(Integer.parseInt(token));
        } else if (!token.isEmpty()) {
          policies.add(token);
        }
      }
      if (!codes.isEmpty() && !policies.contains("retriable-status-codes")) {
        policies.add("retriable-status-codes");
      }
      policy.setRetryOn(String.join(",", policies)).clearRetriableStatusCodes();
      policy.addAllRetriableStatusCodes(codes);
    }
    if (in.retryRemoteLocalities()) {
      policy.setRetryPriority(
          RetryPolicy.RetryPriority.newBuilder()
              .setName("envoy.retry_priorities.previous_priorities")
              .setTypedConfig(
                  Any.pack(PreviousPrioritiesConfig.newBuilder().setUpdateFrequency(2).build())));
    }
    return Optional.of(policy);
  }
}
