package io.decibel.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A child process for {@link ServiceProcessTests}. {@code print <lines> <exit code>}: prints numbered lines, a line
 * naming the GREETING variable, one line on stderr, and exits. {@code wait}: prints the signals it ignores (on
 * Linux) and {@code ready}, and waits until it is stopped, saying {@code stopping} when it is asked to.
 */
public class EchoMain {

	public static void main(String[] args) throws InterruptedException, IOException {
		if (args[0].equals("print")) {
			for (int i = 1; i <= Integer.parseInt(args[1]); i++) {
				System.out.println("line " + i);
			}
			System.out.println("GREETING=" + System.getenv("GREETING"));
			System.out.println("PATH inherited=" + (System.getenv("PATH") != null));
			System.err.println("an error line");
			System.exit(Integer.parseInt(args[2]));
		}
		Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("stopping")));
		Path status = Path.of("/proc/self/status");
		if (Files.isReadable(status)) {
			// the signals this process ignores, as a hex mask
			Files.readAllLines(status)
				.stream()
				.filter((line) -> line.startsWith("SigIgn:"))
				.forEach(System.out::println);
		}
		System.out.println("ready");
		Thread.sleep(Long.MAX_VALUE);
	}

}
