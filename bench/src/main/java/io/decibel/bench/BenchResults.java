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

	record Settings(int devices, int connections, int outstanding, int brokerReceiveMaximum, int warmup, int count, int rate,
			long durationSeconds, String responderJvmOptions, String broker, String database) {
	}

	/**
	 * @param ackedPerSecond readings ACKed a second in the throughput phase (first publish to last ACK)
	 * @param rowsPerSecond rows the throughput phase added to the table, a second; null without a database
	 * @param rowsOk whether the table holds exactly one row per reading published, and no key twice
	 * @param latencyMs publish-to-ACK latency of the latency phase (at {@code rate} readings a second)
	 * @param throughputLatencyMs publish-to-ACK latency of the throughput phase (mostly time queued)
	 * @param cpuSeconds CPU seconds (user + system) the responder used for the throughput phase
	 * @param cpuSecondsLatency CPU seconds it used for the latency phase
	 * @param peakRssMiB the responder's peak resident memory (VmHWM) at the end of its run
	 * @param startSeconds seconds from launch to its "Started" line
	 */
	record ResponderResult(String responder, int published, int acked, long stored, long duplicate, long rejected,
			long duplicateAcks, long publishFailures, double seconds, double ackedPerSecond, Double rowsPerSecond,
			Long rowsAfterThroughput, Long distinctKeysAfterThroughput, Long rowsAtEnd, Long expectedRowsAtEnd,
			Boolean rowsOk, int latencyPublished, int latencyAcked, Percentiles latencyMs,
			Percentiles throughputLatencyMs, double cpuSeconds, double cpuSecondsLatency, double peakRssMiB,
			double startSeconds) {
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
