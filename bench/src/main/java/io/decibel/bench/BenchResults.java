package io.decibel.bench;

import java.util.List;

import org.HdrHistogram.Histogram;

/**
 * Everything one run measured, as written to {@code results.json}.
 *
 * @param at when the run started (UTC)
 * @param machine what it ran on
 * @param options what it ran
 * @param responders one entry per responder, in the order they ran
 * @param startup start time and memory of each service
 * @param targets the targets of the relay, and whether this run reached them
 */
record BenchResults(String at, Machine machine, Settings options, List<ResponderResult> responders,
		List<StartupResult> startup, List<Target> targets) {

	record Machine(int processors, long memoryMiB, String cpuModel, String javaVersion, String javaVm, String os) {
	}

	/**
	 * @param rates readings a second of the latency phases, in the order they ran
	 * @param durationSeconds length of each latency phase
	 * @param drainSeconds how long a phase that fell behind went on publishing, at most, and then waited for its ACKs
	 * @param burst readings of the burst phase; 0 when it did not run
	 */
	record Settings(int devices, int connections, int outstanding, int brokerReceiveMaximum, int warmup, int count,
			int burst, List<Integer> rates, long durationSeconds, long drainSeconds, String responderJvmOptions, String broker,
			String database) {
	}

	/**
	 * @param ackedPerSecond readings ACKed a second in the throughput phase (first publish to last ACK)
	 * @param rowsPerSecond rows the throughput phase added to the table, a second; null without a database
	 * @param rowsAfterThroughput the table after the warm-up and throughput phases; null without a database
	 * @param rowsOk whether the table held exactly one row per reading published, and no key twice, after the
	 * throughput phase and after each latency phase; null without a database
	 * @param throughputLatencyMs publish-to-ACK latency of the throughput phase (mostly time queued)
	 * @param cpuSeconds CPU seconds (user + system) the responder used for the throughput phase
	 * @param latency the latency phases, one per rate, in the order they ran
	 * @param peakRssMiB the responder's peak resident memory (VmHWM) at the end of its run
	 * @param startSeconds seconds from launch to its "Started" line
	 * @param burst the burst phase; null when it did not run
	 * @param allocatedKiBPerReading with {@code --profile}, the relay only: KiB its threads allocated per reading
	 * answered, from the flight recording's allocation samples once the load began; null otherwise
	 */
	record ResponderResult(String responder, int published, int acked, long stored, long duplicate, long rejected,
			long duplicateAcks, long publishFailures, double seconds, double ackedPerSecond, Double rowsPerSecond,
			TableCheck rowsAfterThroughput, Boolean rowsOk, Percentiles throughputLatencyMs, double cpuSeconds,
			List<RatePhase> latency, double peakRssMiB, double startSeconds, BurstPhase burst,
			Double allocatedKiBPerReading) {

		/** The table after its last phase; null without a database. */
		TableCheck rowsAtEnd() {
			if (this.burst != null && this.burst.rows() != null) {
				return this.burst.rows();
			}
			return this.latency.isEmpty() ? this.rowsAfterThroughput : this.latency.get(this.latency.size() - 1).rows();
		}

		ResponderResult withAllocation(Double kiBPerReading) {
			return new ResponderResult(this.responder, this.published, this.acked, this.stored, this.duplicate,
					this.rejected, this.duplicateAcks, this.publishFailures, this.seconds, this.ackedPerSecond,
					this.rowsPerSecond, this.rowsAfterThroughput, this.rowsOk, this.throughputLatencyMs,
					this.cpuSeconds, this.latency, this.peakRssMiB, this.startSeconds, this.burst, kiBPerReading);
		}

		/** Its latency phase at {@code rate} readings a second, or null if it ran none. */
		RatePhase at(int rate) {
			return this.latency.stream().filter((phase) -> phase.rate() == rate).findFirst().orElse(null);
		}

	}

	/**
	 * One latency phase: readings offered at a fixed rate.
	 *
	 * @param rate readings a second offered
	 * @param due readings the phase was to publish ({@code rate} × its duration)
	 * @param published readings it published (fewer when a responder that fell behind left no room in time)
	 * @param acked readings ACKed
	 * @param seconds from the first reading's due time to the last ACK
	 * @param ackedPerSecond readings ACKed a second over those seconds
	 * @param saturated whether the responder fell behind the offered rate: its latencies are then the queue's, and
	 * grow with the length of the phase
	 * @param latencyMs publish-to-ACK latency of the readings ACKed, from when each was due
	 * @param cpuSeconds CPU seconds (user + system) the responder used for the phase
	 * @param rows the table after the phase; null without a database
	 */
	record RatePhase(int rate, int due, int published, int acked, double seconds, double ackedPerSecond,
			boolean saturated, Percentiles latencyMs, double cpuSeconds, TableCheck rows) {
	}

	/**
	 * The burst: every reading published at once, as fast as the broker takes them, by devices that never send again.
	 *
	 * @param published readings published
	 * @param acked readings ACKed (once each; {@code duplicateAcks} counts the rest)
	 * @param duplicateAcks ACKs of a reading answered already: the broker sent it again
	 * @param seconds from the first publish to the last ACK
	 * @param latencyMs publish-to-ACK latency (mostly time queued in the broker)
	 * @param cpuSeconds CPU seconds (user + system) the responder used for the phase
	 * @param relay the relay's flow-control counters over the phase, from its {@code /actuator/prometheus}; null for
	 * another responder or when they could not be read
	 * @param rows the table after the phase; null without a database
	 */
	record BurstPhase(int published, int acked, long duplicateAcks, double seconds, double ackedPerSecond,
			Percentiles latencyMs, double cpuSeconds, RelayCounters relay, TableCheck rows) {
	}

	/**
	 * What the relay's flow control did over a phase: the differences of its counters.
	 *
	 * @param renewals connections renewed for the broker to send again what was turned away
	 * ({@code decibel_relay_mqtt_renewals_total})
	 * @param turnedAway deliveries neither held nor acknowledged ({@code decibel_relay_deliveries_turned_away_total})
	 * @param beyondWindow deliveries taken while the relay held its Receive Maximum already
	 * ({@code decibel_relay_deliveries_beyond_window_total})
	 */
	record RelayCounters(long renewals, long turnedAway, long beyondWindow) {
	}

	/**
	 * The responder's table after a phase.
	 *
	 * @param expected readings published up to the end of the phase, warm-up included
	 * @param rows rows of the table
	 * @param distinctKeys distinct (device, seq) among them
	 * @param ok whether the table holds exactly one row per reading, none twice
	 */
	record TableCheck(long expected, long rows, long distinctKeys, boolean ok) {

		static TableCheck of(long expected, long rows, long distinctKeys) {
			return new TableCheck(expected, rows, distinctKeys, rows == expected && distinctKeys == rows);
		}

	}

	record Percentiles(double p50, double p90, double p99, double p999, double max, double mean) {

		static Percentiles of(Histogram micros) {
			if (micros.getTotalCount() == 0) {
				return new Percentiles(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
			}
			return new Percentiles(ms(micros.getValueAtPercentile(50)), ms(micros.getValueAtPercentile(90)),
					ms(micros.getValueAtPercentile(99)), ms(micros.getValueAtPercentile(99.9)),
					ms(micros.getMaxValue()), Math.round(micros.getMean()) / 1000.0);
		}

		private static double ms(long micros) {
			return micros / 1000.0;
		}

	}

	/**
	 * @param secondsToStarted from launch to the "Started" line, measured here
	 * @param jvmReportedSeconds what Spring Boot's "Started ... in X seconds" line says
	 * @param processRunningSeconds its "(process running for Y)": the JVM's own start included
	 * @param rssMiB resident memory a second after the "Started" line
	 */
	record StartupResult(String service, double secondsToStarted, double jvmReportedSeconds,
			double processRunningSeconds, double rssMiB) {
	}

	record Target(String name, String goal, String reached, boolean met) {
	}

}
