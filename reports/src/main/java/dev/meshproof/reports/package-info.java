/**
 * The conformance report: a Gateway API–shaped summary of which mesh features each target
 * implements, with every scenario's evidence (seed, timings, traffic, statistics), rendered as
 * JSON, YAML and one self-contained HTML file.
 *
 * <p>Start with {@link dev.meshproof.reports.ConformanceReport#builder()} and {@link
 * dev.meshproof.reports.ReportWriter#write(ConformanceReport, java.nio.file.Path)}.
 *
 * @see <a href="https://gateway-api.sigs.k8s.io/concepts/conformance/">Gateway API conformance</a>
 */
package dev.meshproof.reports;
