package dev.meshproof.scenario.junit;

import dev.meshproof.scenario.targets.Target;
import dev.meshproof.scenario.targets.Targets;
import dev.meshproof.scenario.yaml.InvalidScenarioException;
import dev.meshproof.scenario.yaml.ScenarioYaml;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;
import org.junit.platform.commons.support.AnnotationSupport;

/** One test per scenario file and target, for {@link MeshproofScenarios}. */
final class ScenarioFilesProvider implements TestTemplateInvocationContextProvider {
  private static final String SUFFIX = ".scenario.yaml";

  @Override
  public boolean supportsTestTemplate(ExtensionContext context) {
    return context
        .getTestMethod()
        .map(m -> AnnotationSupport.isAnnotated(m, MeshproofScenarios.class))
        .orElse(false);
  }

  @Override
  public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(
      ExtensionContext context) {
    MeshproofScenarios annotation =
        AnnotationSupport.findAnnotation(context.getRequiredTestMethod(), MeshproofScenarios.class)
            .orElseThrow();
    List<Target> targets = Targets.named(annotation.target());
    List<Path> files = new ArrayList<>();
    for (String root : annotation.value()) {
      files.addAll(scenarioFiles(Path.of(root)));
    }
    if (files.isEmpty()) {
      throw new IllegalStateException(
          "@MeshproofScenarios: no *"
              + SUFFIX
              + " under "
              + List.of(annotation.value())
              + " (relative to "
              + Path.of("").toAbsolutePath()
              + ")");
    }
    return files.stream().flatMap(file -> targets.stream().map(target -> invocation(file, target)));
  }

  private static TestTemplateInvocationContext invocation(Path file, Target target) {
    String name;
    try {
      name = ScenarioYaml.read(file).scenario().name();
    } catch (InvalidScenarioException e) {
      name = file.getFileName().toString();
    }
    String displayName = name + " [" + target.name() + "]";
    return new TestTemplateInvocationContext() {
      @Override
      public String getDisplayName(int invocationIndex) {
        return displayName;
      }

      @Override
      public List<Extension> getAdditionalExtensions() {
        return List.of(
            new InvocationInterceptor() {
              @Override
              public void interceptTestTemplateMethod(
                  Invocation<Void> invocation,
                  ReflectiveInvocationContext<Method> invocationContext,
                  ExtensionContext extensionContext)
                  throws Throwable {
                // Read again inside the test: a bad file fails this test, not the discovery.
                ScenarioChecks.assertPasses(ScenarioYaml.read(file).scenario(), target);
                invocation.proceed();
              }
            });
      }
    };
  }

  private static List<Path> scenarioFiles(Path root) {
    if (Files.isRegularFile(root)) {
      return List.of(root);
    }
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
