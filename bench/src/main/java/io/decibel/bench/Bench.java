package io.decibel.bench;

import java.util.Arrays;

import io.decibel.bench.naive.NaiveResponderApplication;
import io.decibel.bench.raw.RawEcho;

/**
 * One jar, three programs: {@code java -jar bench.jar [options]} runs the benchmark; {@code raw} and {@code naive}
 * as the first argument run one of its responders, which the benchmark starts as processes of their own so that
 * their CPU time and memory are theirs alone; {@code jfr-summary <file.jfr>} summarises a flight recording.
 */
public final class Bench {

	private Bench() {
	}

	public static void main(String[] args) throws Exception {
		String first = (args.length > 0) ? args[0] : "";
		String[] rest = (args.length > 0) ? Arrays.copyOfRange(args, 1, args.length) : args;
		switch (first) {
			case "raw" -> RawEcho.main(rest);
			case "naive" -> NaiveResponderApplication.main(rest);
			case "jfr-summary" -> JfrSummary.main(rest);
			default -> BenchRun.main(args);
		}
	}

}
