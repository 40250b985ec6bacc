package io.decibel.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;

import org.jfree.chart.JFreeChart;
import org.jfree.data.xy.XYSeriesCollection;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

class ReportTests {

	@BeforeAll
	static void headless() {
		System.setProperty("java.awt.headless", "true");
	}

	@Test
	void printsTheThroughputOfEachResponderWithoutRowsForTheEcho() {
		String markdown = Report.markdown(SampleResults.results(SampleResults.responders()));

		assertThat(markdown).contains("| `raw` | 10,000 | – | 3.5 | 150 |")
			.contains("| `relay (jdbc:mariadb)` | 9,000 | 9,000 | 3.5 | 240 |")
			.contains("| `relay-service` | 6.10 | 4.20 | 5.00 | 230 |");
	}

	@Test
	void printsTheLatencyOfEachResponderAtEachRate() {
		String markdown = Report.markdown(SampleResults.results(SampleResults.responders()));

		assertThat(markdown).contains("| `raw` | 100 | 100 | 0.13 | 0.25 | 0.50 | 1.00 | 0.5 |")
			.contains("| `relay (jdbc:mariadb)` | 1,000 | 999 | 0.75 | 1.50 | 3.00 | 6.00 | 0.5 |")
			.contains("| `relay (jdbc:mysql)` | 5,000 | 4,995 | 3.50 | 7.00 | 14.00 | 28.00 | 0.5 |")
			.contains("| `naive` | 1,000 | 999 | 1.13 | 2.25 | 4.50 | 9.00 | 0.5 |");
	}

	@Test
	void printsEachRelaysLatencyLessTheEchosAtEachRate() {
		String markdown = Report.markdown(SampleResults.results(SampleResults.responders()));

		assertThat(markdown)
			.contains("| `relay (jdbc:mariadb)` | 1,000 | 0.20 | 0.80 | 1.60 | 0.75 | 3.00 | 6.00 | +0.55 | +2.20 |")
			.contains("| `relay (jdbc:mysql)` | 100 | 0.13 | 0.50 | 1.00 | 0.63 | 2.50 | 5.00 | +0.50 | +2.00 |")
			.doesNotContain("| `naive` | 100 | 0.13 |");
	}

	@Test
	void printsTheBurstOfEachResponderAgainstTheEchosWithTheRelaysCounters() {
		var responders = SampleResults.responders();
		var raw = SampleResults.withBurst(responders.get(0), 18_000, null);
		var relay = SampleResults.withBurst(responders.get(1), 2_880, new BenchResults.RelayCounters(9, 11_000, 12_000));

		String markdown = Report.markdown(SampleResults.results(java.util.List.of(raw, relay)));

		assertThat(markdown).contains("| `raw` | 18,000 | 100 % | 20,000/20,000 | 0 | – | – | – | 100.00 / 400.00 | 2.5 |")
			.contains("| `relay (jdbc:mariadb)` | 2,880 | 16 % | 20,000/20,000 | 0 | 9 | 11,000 | 12,000 |");
	}

	@Test
	void saysWhichPhasesFellBehindInsteadOfGivingTheirQueuesLatencies() {
		String markdown = Report.markdown(SampleResults.results(SampleResults.responders()));

		assertThat(markdown)
			.contains("| `naive` | 5,000 | 812 **saturated** (16,240 of 50,000 published) | – | – | – | – | 9.5 |")
			.doesNotContain("9000.00");
	}

	@Test
	void flagsAPhaseAfterWhichTheTableWasOff() {
		var responders = SampleResults.responders();
		var naive = SampleResults.oneRowShortAt(responders.get(3), 1_000);

		String markdown = Report.markdown(SampleResults.results(java.util.List.of(responders.get(0), naive)));

		assertThat(markdown).contains("| `naive` | 1,000 | 999 (rows ≠ readings!) |")
			.contains("| `naive` | 1,200 | 1,200 (rows ≠ readings!) |");
	}

	@Test
	void drawsP99AgainstTheOfferedLoadLeavingOutWhatFellBehind() {
		JFreeChart chart = Report.p99AgainstLoad(SampleResults.results(SampleResults.responders()));

		XYSeriesCollection series = (XYSeriesCollection) chart.getXYPlot().getDataset();
		assertThat(IntStream.range(0, series.getSeriesCount()).mapToObj(series::getSeriesKey))
			.containsExactly("raw", "relay (jdbc:mariadb)", "relay (jdbc:mysql)", "naive (saturated at 5,000/s)");
		assertThat(series.getSeries("relay (jdbc:mariadb)").getItemCount()).isEqualTo(3);
		assertThat(series.getSeries("relay (jdbc:mariadb)").getY(1)).isEqualTo(3.0);
		assertThat(series.getSeries("naive (saturated at 5,000/s)").getItemCount()).isEqualTo(2);
		assertThat(Report.chart(SampleResults.results(SampleResults.responders())).getWidth()).isEqualTo(1400);
	}

	@Test
	void writesTheTablesTheJsonAndTheChart(@TempDir Path folder) throws Exception {
		Report.write(SampleResults.results(SampleResults.responders()), folder);

		assertThat(Files.readString(folder.resolve("results.md"))).contains("| target | goal | reached | met |");
		JsonNode json = JsonMapper.builder().build().readTree(folder.resolve("results.json").toFile());
		assertThat(json.at("/options/rates").toString()).isEqualTo("[100,1000,5000]");
		JsonNode naiveAt5000 = json.at("/responders/3/latency/2");
		assertThat(naiveAt5000.get("rate").asInt()).isEqualTo(5_000);
		assertThat(naiveAt5000.get("saturated").asBoolean()).isTrue();
		assertThat(naiveAt5000.at("/rows/ok").asBoolean()).isTrue();
		assertThat(folder.resolve("chart.png")).isNotEmptyFile();
	}

}
