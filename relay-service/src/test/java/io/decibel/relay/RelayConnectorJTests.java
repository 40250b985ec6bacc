package io.decibel.relay;

import java.sql.Connection;
import java.sql.DriverManager;

import io.decibel.testsupport.TestInfrastructure;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;

import static org.assertj.core.api.Assertions.assertThatException;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The relay refuses MySQL Connector/J ({@code jdbc:mysql://}, the compose file's driver for MySQL) on MariaDB, and
 * says to use {@code jdbc:mariadb://}: on MariaDB 10 Connector/J stores every timestamp without its fractional
 * seconds, on MariaDB 11 Hibernate cannot read the metadata it needs through it.
 */
class RelayConnectorJTests {

	@Test
	void refusesConnectorJOnMariaDb11AndNamesTheMariaDbDriver() {
		// given: the embedded MariaDB 11
		String url = TestInfrastructure.embeddedDatabase().jdbcUrl(TestInfrastructure.uniqueName("relaycj"));

		// when, then
		assertRefused(url);
	}

	@Test
	void refusesConnectorJOnMariaDb10AndNamesTheMariaDbDriver() throws Exception {
		// given: the tests' external server, when it is a MariaDB 10 (handshake version 5.5.5-10.…)
		assumeThat(TestInfrastructure.usesExternalDatabase()).as("DECIBEL_TEST_JDBC_URL names a server").isTrue();
		String url = TestInfrastructure.jdbcUrl(TestInfrastructure.uniqueName("relaycj"));
		try (Connection connection = DriverManager.getConnection(url, TestInfrastructure.dbUsername(),
				TestInfrastructure.dbPassword())) {
			assumeThat(connection.getMetaData().getDatabaseProductVersion()).as("the server's version")
				.matches("(5\\.5\\.5-)?10\\..*MariaDB.*");
		}

		// when, then
		assertRefused(url);
	}

	private static void assertRefused(String url) {
		String connectorJ = url.replaceFirst("^jdbc:[a-z]+:", "jdbc:mysql:");
		// arguments, not default properties: those rank below application.yml
		assertThatException().isThrownBy(() -> new SpringApplicationBuilder(RelayApplication.class).run(
				"--decibel.mqtt.url=" + TestInfrastructure.mqttUrl(),
				"--decibel.mqtt.client-id=" + TestInfrastructure.uniqueName("relay"),
				"--spring.datasource.url=" + connectorJ,
				"--spring.datasource.username=" + TestInfrastructure.dbUsername(),
				"--spring.datasource.password=" + TestInfrastructure.dbPassword(), "--server.port=0"))
			.havingRootCause()
			.withMessageContaining("Connector/J (jdbc:mysql://) does not work with MariaDB")
			.withMessageContaining("jdbc:mariadb://");
	}

}
