package io.decibel.stack;

import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * The command line of {@link LocalStack}.
 *
 * @param count the publisher stops after this many acknowledged readings; {@code null}: it runs until stopped
 * @param subscribers how many subscriber-service replicas to run
 * @param source the publisher's noise source: {@code auto}, {@code synthetic}, {@code microphone} or
 * {@code wav:<path>}
 * @param exitWhenPublished stop everything once the publisher has ended, and exit with its status
 */
record LocalStackOptions(@Nullable Integer count, int subscribers, String source, boolean exitWhenPublished) {

	static final String USAGE = """
			Usage: java -jar local-stack/target/local-stack-exec.jar [options]
			  --count=N               the publisher stops after N acknowledged readings (default: runs until stopped)
			  --subscribers=N         subscriber-service replicas to run (default 2)
			  --source=SOURCE         auto | synthetic | microphone | wav:<path> (default auto)
			  --exit-when-published   stop the stack once the publisher has ended, and exit with its status
			System property decibel.home: the project folder holding the built service jars (default: working dir).""";

	private static final Pattern SOURCE = Pattern.compile("auto|synthetic|microphone|wav:.+");

	/**
	 * Reads the command line.
	 * @throws IllegalArgumentException naming the argument that is not understood
	 */
	static LocalStackOptions parse(String... args) {
		Integer count = null;
		int subscribers = 2;
		String source = "auto";
		boolean exitWhenPublished = false;
		for (String arg : args) {
			if (arg.startsWith("--count=")) {
				count = number(arg, 1);
			}
			else if (arg.startsWith("--subscribers=")) {
				subscribers = number(arg, 0);
			}
			else if (arg.startsWith("--source=")) {
				source = value(arg);
				if (!SOURCE.matcher(source).matches()) {
					throw new IllegalArgumentException("Unknown source in " + arg);
				}
			}
			else if (arg.equals("--exit-when-published")) {
				exitWhenPublished = true;
			}
			else {
				throw new IllegalArgumentException("Unknown argument " + arg);
			}
		}
		return new LocalStackOptions(count, subscribers, source, exitWhenPublished);
	}

	private static int number(String arg, int least) {
		try {
			int number = Integer.parseInt(value(arg));
			if (number >= least) {
				return number;
			}
		}
		catch (NumberFormatException ex) {
			// reported below
		}
		throw new IllegalArgumentException("Expected a whole number of at least " + least + " in " + arg);
	}

	private static String value(String arg) {
		return arg.substring(arg.indexOf('=') + 1);
	}

}
