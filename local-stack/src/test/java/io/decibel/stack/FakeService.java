package io.decibel.stack;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import com.sun.net.httpserver.HttpServer;

/**
 * Stands in for a service jar in {@link LocalStackTests}: prints the configuration it was given, answers the
 * readiness probe on {@code SERVER_PORT}, says it started as a Spring Boot application would, and, as a publisher
 * given a count, ends with that count as exit code.
 */
public class FakeService {

	public static void main(String[] args) throws Exception {
		System.getenv()
			.entrySet()
			.stream()
			.filter((e) -> e.getKey().startsWith("DECIBEL_") || e.getKey().startsWith("SPRING_")
					|| e.getKey().equals("SERVER_PORT"))
			.sorted(Map.Entry.comparingByKey())
			.forEach((e) -> System.out.println(e.getKey() + "=" + e.getValue()));
		HttpServer server = HttpServer
			.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(System.getenv("SERVER_PORT"))), 0);
		server.createContext("/actuator/health/readiness", (exchange) -> {
			byte[] body = "{\"status\":\"UP\",\"components\":{}}".getBytes(StandardCharsets.UTF_8);
			exchange.sendResponseHeaders(200, body.length);
			exchange.getResponseBody().write(body);
			exchange.close();
		});
		server.start();
		System.out.println("Started FakeService in 0.1 seconds");
		String count = System.getenv("DECIBEL_PUBLISHER_COUNT");
		if (count != null) {
			System.out.println("published " + count);
			System.exit(Integer.parseInt(count));
		}
		Thread.sleep(Long.MAX_VALUE);
	}

}
