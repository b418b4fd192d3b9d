package dev.meshproof.scenario;

/** Istio YAML of a scenario, exactly as {@code kubectl apply} takes it, and where it came from. */
public record IstioSource(String source, String yaml) {}
