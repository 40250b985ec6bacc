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

	/**
	 * Bytes the process allocated once the load began (the first execution sample of {@code loadThread}): the sum of
	 * the weights of {@code jdk.ObjectAllocationSample}, each the bytes its thread allocated since its last sample, so
	 * an estimate whose error shrinks with the number of samples (the profile settings take up to 300 a second).
	 */
	static double allocatedBytes(Path recording, String loadThread) throws IOException {
		List<RecordedEvent> events = RecordingFile.readAllEvents(recording);
		java.time.Instant loadStart = loadStart(events, loadThread);
		return events.stream()
			.filter((event) -> "jdk.ObjectAllocationSample".equals(event.getEventType().getName()))
			.filter((event) -> !event.getStartTime().isBefore(loadStart))
			.mapToDouble((event) -> event.getLong("weight"))
			.sum();
	}

	private static java.time.Instant loadStart(List<RecordedEvent> events, String loadThread) {
		return events.stream()
			.filter((event) -> "jdk.ExecutionSample".equals(event.getEventType().getName()))
			.filter((event) -> loadThread.equals(event.getThread("sampledThread").getJavaName()))
			.map(RecordedEvent::getStartTime)
			.min(java.util.Comparator.naturalOrder())
			.orElse(java.time.Instant.MIN);
	}

	/**
	 * Summarises the samples taken once the load began (the first sample of {@code loadThread}), so that the start
	 * of the service (class loading, Hibernate's boot) does not hide the hot path.
	 */
	static String summarise(Path recording, String loadThread, int top) throws IOException {
		List<RecordedEvent> events = RecordingFile.readAllEvents(recording);
		java.time.Instant loadStart = loadStart(events, loadThread);
		int collections = 0;
		double pausesMs = 0;
		double gcCpuSeconds = 0;
		Map<String, Integer> threads = new HashMap<>();
		Map<String, Integer> areas = new HashMap<>();
		Map<String, Integer> areasAnywhere = new HashMap<>();
		Map<String, Integer> methods = new HashMap<>();
		int samples = 0;
		for (RecordedEvent event : events) {
			if (event.getStartTime().isBefore(loadStart)) {
				continue;
			}
			String type = event.getEventType().getName();
			if ("jdk.GarbageCollection".equals(type)) {
				collections++;
				pausesMs += event.getDuration("sumOfPauses").toNanos() / 1e6;
			}
			else if ("jdk.GCCPUTime".equals(type)) {
				gcCpuSeconds += (event.getLong("userTime") + event.getLong("systemTime")) / 1e9;
			}
			if (!"jdk.ExecutionSample".equals(type)) {
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
		md.append(String.format(Locale.ROOT, "Under load (from the first sample of `%s`): %,d execution samples"
				+ " (jdk.ExecutionSample: threads running Java code, every 10-20 ms); garbage collection: %d"
				+ " collections, %.0f ms of pauses, %.2f CPU s.%n%n", loadThread, samples, collections, pausesMs,
				gcCpuSeconds));
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

	/** {@code java -jar bench.jar jfr-summary <recording.jfr> [thread that starts the load]}. */
	static void main(String[] args) throws IOException {
		System.out.println(summarise(Path.of(args[0]), (args.length > 1) ? args[1] : "readings-writer", 15));
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
