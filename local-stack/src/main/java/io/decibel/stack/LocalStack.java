package io.decibel.stack;

/**
 * The whole scenario on one machine with nothing but a JDK: embedded broker and database, then the services.
 */
public final class LocalStack {

	private LocalStack() {
	}

	public static void main(String[] args) throws InterruptedException {
		EmbeddedBroker broker = TestInfrastructure.embeddedBroker();
		EmbeddedDatabase database = TestInfrastructure.embeddedDatabase();
		System.out.println("broker " + broker.url() + ", database " + database.jdbcUrl("decibel"));
		Thread.currentThread().join();
	}

}
