package dev.meshproof.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecutablesTest {

  @Test
  void aNameWithADirectoryIsTakenAsItIsAndOnlyIfExecutable(@TempDir Path dir) throws Exception {
    Path tool = Files.createFile(dir.resolve("tool"));
    assertThat(Executables.find(tool)).isEmpty();

    Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
    assertThat(Executables.find(tool)).contains(tool);
    assertThat(Executables.find(dir.resolve("absent"))).isEmpty();
  }

  @Test
  void aBareNameIsLookedUpOnThePathInOrder() {
    // sh is on every PATH these tests run with; the first directory holding it wins.
    Path sh = Executables.find(Path.of("sh")).orElseThrow();
    assertThat(Executables.onPath("sh")).filteredOn(Files::isExecutable).first().isEqualTo(sh);
    assertThat(Executables.find(Path.of("no-such-meshproof-tool"))).isEmpty();
  }
}
