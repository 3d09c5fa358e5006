package io.gridshare.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ChartLintTest {

    @Test
    @DisplayName("helm lint --strict passes with no warning or error")
    void lintIsCleanInStrictMode() {
        LintResult result = new Helm(Chart.dir()).lint().strict().call();

        assertThat(result.isFailed()).as("lint failed: %s", result.getMessages()).isFalse();
        // Helm reports "[INFO] ... icon is recommended"; anything of WARNING or ERROR level fails.
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    }
}
