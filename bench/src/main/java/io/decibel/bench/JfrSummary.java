package io.decibel.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a process's CPU went, from the execution samples of a Java Flight Recorder file: by thread, by the code
 * on top of the stack (grouped by library), and the hottest methods.
 */
final class JfrSummary {

	/** Package prefixes, first match wins: what a reader recognises as "the database driver", "Hibernate". */
	private static final Map<String, String> AREAS = new LinkedHashMap<>();

	static {
		AREAS.put("org.mariadb.", "MariaDB JDBC driver");
		AREAS.put("com.mysql.", "MySQL JDBC driver");
		AREAS.put("com.zaxxer.hikari.", "Hikari pool");
		AREAS.put("org.hibernate.", "Hibernate");
		AREAS.put("org.springframework.data.", "Spring Data");
		AREAS.put("org.springframework.integration.", "Spring Integration");
		AREAS.put("org.springframework.", "Spring (other)");
		AREAS.put("org.eclipse.paho.", "Paho MQTT client");
		AREAS.put("tools.jackson.", "Jackson (JSON)");
		AREAS.put("com.fasterxml.", "Jackson (JSON)");
		AREAS.put("io.decibel.", "Decibel code");
		AREAS.put("ch.qos.logback.", "Logback");
		AREAS.put("org.slf4j.", "Logback");
		AREAS.put("io.micrometer.", "Micrometer");
		AREAS.put("java.net.", "JDK sockets/net");
		AREAS.put("sun.nio.", "JDK sockets/net");
		AREAS.put("java.io.", "JDK I/O");
		AREAS.put("java.time.", "JDK time");
		AREAS.put("java.util.concurrent.", "JDK concurrency");
		AREAS.put("java.", "JDK (other)");
		AREAS.put("jdk.", "JDK (other)");
		AREAS.put("sun.", "JDK (other)");
	}

	private JfrSummary() {
	}

	static String summarise(Path recording, int top) throws IOException {
		Map<String, Integer> threads = new HashMap<>();
		Map<String, Integer> areas = new HashMap<>();
		Map<String, Integer> areasAnywhere = new HashMap<>();
		Map<String, Integer> methods = new HashMap<>();
		int samples = 0;
		for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
			if (!"jdk.ExecutionSample".equals(event.getEventType().getName())) {
				continue;
			}
			RecordedStackTrace stack = event.getStackTrace();
			if (stack == null || stack.getFrames().isEmpty()) {
				continue;
			}
			samples++;
			String thread = event.getThread("sampledThread").getJavaName();
			threads.merge(threadGroup(thread), 1, Integer::sum);
			RecordedFrame topFrame = stack.getFrames().get(0);
			String topClass = topFrame.getMethod().getType().getName();
			areas.merge(area(topClass), 1, Integer::sum);
			methods.merge(topClass + "." + topFrame.getMethod().getName(), 1, Integer::sum);
			// the first library on the stack below the JDK: who asked for the work
			for (RecordedFrame frame : stack.getFrames()) {
				String area = area(frame.getMethod().getType().getName());
				if (!area.startsWith("JDK")) {
					areasAnywhere.merge(area, 1, Integer::sum);
					break;
				}
			}
		}
		StringBuilder md = new StringBuilder();
		md.append(String.format(Locale.ROOT, "%,d execution samples (jdk.ExecutionSample, every 10-20 ms of "
				+ "running Java code per thread)%n%n", samples));
		table(md, "thread", threads, samples, top, Function.identity());
		table(md, "code on top of the stack", areas, samples, top, Function.identity());
		table(md, "first non-JDK code on the stack (who asked)", areasAnywhere, samples, top, Function.identity());
		table(md, "hottest methods (self)", methods, samples, top, (name) -> "`" + name + "`");
		return md.toString();
	}

	private static void table(StringBuilder md, String title, Map<String, Integer> counts, int samples, int top,
			Function<String, String> format) {
		md.append("| ").append(title).append(" | samples | share |\n|---|---:|---:|\n");
		List<Map.Entry<String, Integer>> sorted = counts.entrySet()
			.stream()
			.sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
			.limit(top)
			.toList();
		for (Map.Entry<String, Integer> entry : sorted) {
			md.append(String.format(Locale.ROOT, "| %s | %,d | %.1f %% |%n", format.apply(entry.getKey()),
					entry.getValue(), 100.0 * entry.getValue() / Math.max(1, samples)));
		}
		md.append('\n');
	}

	/** Numbered threads of a pool count as one. */
	static String threadGroup(String thread) {
		return (thread == null) ? "?" : thread.replaceAll("[-#]?\\d+$", "-N").replaceAll("-\\d+-", "-N-");
	}

	static String area(String className) {
		for (Map.Entry<String, String> entry : AREAS.entrySet()) {
			if (className.startsWith(entry.getKey())) {
				return entry.getValue();
			}
		}
		return "other";
	}

}
