package dev.meshproof.reports;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code meshproof-report.json} is valid against its documented JSON Schema (draft 2020-12). */
class EvidenceSchemaTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Schema schema =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
          .getSchema(ReportWriter.schema());

  @Test
  void theEvidenceOfEveryKindOfRunMatchesItsSchema(@TempDir Path dir) throws Exception {
    ReportWriter.write(SampleReports.sample(), dir);
    // A second write compares with the first, so the run history is in the file too.
    ReportFiles files = ReportWriter.write(SampleReports.sample(), dir);
    JsonNode evidence = JSON.readTree(files.evidence().toFile());

    assertThat(evidence.has("changesSincePrevious")).isTrue();
    assertThat(schema.validate(evidence)).isEmpty();
  }

  /** The schema closes every object, so evidence added without documenting it is caught. */
  @Test
  void anUndocumentedFieldIsReported() throws Exception {
    ObjectNode evidence =
        (ObjectNode) JSON.readTree(ReportWriter.toEvidenceJson(SampleReports.sample()));
    ((ObjectNode) evidence.at("/tests/1/targets/0")).put("mirrorCopies", 3);
    evidence.put("date", "yesterday");

    List<Error> errors = schema.validate(evidence);

    assertThat(errors)
        .extracting(Error::toString)
        .anySatisfy(e -> assertThat(e).contains("mirrorCopies"));
    assertThat(errors).extracting(Error::toString).anySatisfy(e -> assertThat(e).contains("date"));
  }
}
