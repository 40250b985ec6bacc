package io.decibel.bench;

import java.util.ArrayList;
import java.util.List;

import io.decibel.bench.BenchResults.Percentiles;
import io.decibel.bench.BenchResults.RatePhase;
import io.decibel.bench.BenchResults.ResponderResult;
import io.decibel.bench.BenchResults.TableCheck;

/** Results as a run would give them, built by hand for the report and the targets. */
final class SampleResults {

	static final int WARMUP = 5_000;

	static final int COUNT = 20_000;

	private SampleResults() {
	}

	/** A phase that kept up, with a p99 of {@code p99} ms. */
	static RatePhase keptUp(int rate, double p99) {
		return new RatePhase(rate, rate * 10, rate * 10, rate * 10, 10.01, rate * 10 / 10.01, false,
				percentiles(p99), 0.5, null);
	}

	/** A phase the responder fell behind: it ACKed {@code ackedPerSecond} of {@code rate}. */
	static RatePhase saturated(int rate, double ackedPerSecond) {
		int published = (int) (ackedPerSecond * 20);
		return new RatePhase(rate, rate * 10, published, published, 20, ackedPerSecond, true, percentiles(9_000), 9.5,
				null);
	}

	static Percentiles percentiles(double p99) {
		return new Percentiles(p99 / 4, p99 / 2, p99, p99 * 2, p99 * 3, p99 / 3);
	}

	/** The echo: no table. */
	static ResponderResult raw(double ackedPerSecond, RatePhase... phases) {
		return responder("raw", ackedPerSecond, 150, false, phases);
	}

	/** A responder with a table that holds one row per reading after every phase. */
	static ResponderResult storing(String name, double ackedPerSecond, RatePhase... phases) {
		return responder(name, ackedPerSecond, 240, true, phases);
	}

	private static ResponderResult responder(String name, double ackedPerSecond, double peakRss, boolean stores,
			RatePhase... phases) {
		long expected = WARMUP + COUNT;
		TableCheck afterThroughput = stores ? TableCheck.of(expected, expected, expected) : null;
		List<RatePhase> latency = new ArrayList<>();
		for (RatePhase phase : phases) {
			expected += phase.published();
			latency.add(stores ? withRows(phase, TableCheck.of(expected, expected, expected)) : phase);
		}
		return new ResponderResult(name, COUNT, COUNT, COUNT, 0, 0, 0, 0, COUNT / ackedPerSecond, ackedPerSecond,
				stores ? ackedPerSecond : null, afterThroughput, stores ? Boolean.TRUE : null, percentiles(200), 3.5,
				latency, peakRss, 4.2, null, null);
	}

	static RatePhase withRows(RatePhase phase, TableCheck rows) {
		return new RatePhase(phase.rate(), phase.due(), phase.published(), phase.acked(), phase.seconds(),
				phase.ackedPerSecond(), phase.saturated(), phase.latencyMs(), phase.cpuSeconds(), rows);
	}

	/** The same responder, one of whose latency phases left its table one row short. */
	static ResponderResult oneRowShortAt(ResponderResult responder, int rate) {
		List<RatePhase> latency = responder.latency()
			.stream()
			.map((phase) -> (phase.rate() != rate) ? phase
					: withRows(phase, TableCheck.of(phase.rows().expected(), phase.rows().expected() - 1,
							phase.rows().expected() - 1)))
			.toList();
		return new ResponderResult(responder.responder(), responder.published(), responder.acked(),
				responder.stored(), responder.duplicate(), responder.rejected(), responder.duplicateAcks(),
				responder.publishFailures(), responder.seconds(), responder.ackedPerSecond(),
				responder.rowsPerSecond(), responder.rowsAfterThroughput(), false, responder.throughputLatencyMs(),
				responder.cpuSeconds(), latency, responder.peakRssMiB(), responder.startSeconds(), responder.burst(),
				responder.allocatedKiBPerReading());
	}

	/** The same responder with a burst phase of 20,000 readings, all ACKed; the relay's counters when given. */
	static ResponderResult withBurst(ResponderResult responder, double ackedPerSecond,
			BenchResults.RelayCounters counters) {
		BenchResults.BurstPhase burst = new BenchResults.BurstPhase(COUNT, COUNT, 0, COUNT / ackedPerSecond,
				ackedPerSecond, percentiles(400), 2.5, counters, null);
		return new ResponderResult(responder.responder(), responder.published(), responder.acked(),
				responder.stored(), responder.duplicate(), responder.rejected(), responder.duplicateAcks(),
				responder.publishFailures(), responder.seconds(), responder.ackedPerSecond(),
				responder.rowsPerSecond(), responder.rowsAfterThroughput(), responder.rowsOk(),
				responder.throughputLatencyMs(), responder.cpuSeconds(), responder.latency(), responder.peakRssMiB(),
				responder.startSeconds(), burst, responder.allocatedKiBPerReading());
	}

	/** raw, the relay through both drivers and naive at 100, 1,000 and 5,000 readings/s; naive saturates at 5,000. */
	static List<ResponderResult> responders() {
		return List.of(raw(10_000, keptUp(100, 0.5), keptUp(1_000, 0.8), keptUp(5_000, 2)),
				storing("relay (jdbc:mariadb)", 9_000, keptUp(100, 2), keptUp(1_000, 3), keptUp(5_000, 12)),
				storing("relay (jdbc:mysql)", 8_500, keptUp(100, 2.5), keptUp(1_000, 3.5), keptUp(5_000, 14)),
				storing("naive", 1_200, keptUp(100, 1.5), keptUp(1_000, 4.5), saturated(5_000, 812)));
	}

	static BenchResults results(List<ResponderResult> responders) {
		return new BenchResults("2026-11-30T04:00:00Z",
				new BenchResults.Machine(2, 24_000, "Xeon", "17.0.15", "OpenJDK 64-Bit Server VM", "Linux"),
				new BenchResults.Settings(100, 4, 1000, 65_535, WARMUP, COUNT, 0, List.of(100, 1_000, 5_000), 10, 10, "",
						"tcp://127.0.0.1:1894", "jdbc:mariadb://127.0.0.1:3306, jdbc:mysql://127.0.0.1:3306"),
				responders, List.of(new BenchResults.StartupResult("relay-service", 6.1, 4.2, 5.0, 230)),
				BenchRun.targets(responders));
	}

}
