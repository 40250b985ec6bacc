package io.decibel.relay;

import io.decibel.testsupport.TestInfrastructure;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;

import static org.assertj.core.api.Assertions.assertThatException;

/**
 * The relay refuses MySQL Connector/J ({@code jdbc:mysql://}) on a MariaDB server, and says to use
 * {@code jdbc:mariadb://}: each driver for its own server.
 */
class RelayConnectorJRefusalTests {

	@Test
	void refusesConnectorJOnMariaDbAndNamesTheMariaDbDriver() {
		// given: the embedded MariaDB, through Connector/J
		String url = TestInfrastructure.embeddedDatabase()
			.jdbcUrl(TestInfrastructure.uniqueName("relaycj"))
			.replaceFirst("^jdbc:[a-z]+:", "jdbc:mysql:");

		// when, then (arguments, not default properties: those rank below application.yml)
		assertThatException().isThrownBy(() -> new SpringApplicationBuilder(RelayApplication.class).run(
				"--decibel.mqtt.url=" + TestInfrastructure.mqttUrl(),
				"--decibel.mqtt.client-id=" + TestInfrastructure.uniqueName("relay"), "--spring.datasource.url=" + url,
				"--spring.datasource.username=" + TestInfrastructure.dbUsername(),
				"--spring.datasource.password=" + TestInfrastructure.dbPassword(), "--server.port=0"))
			.havingRootCause()
			.withMessageContaining("Connector/J (jdbc:mysql://) is for MySQL servers, and this server is MariaDB")
			.withMessageContaining("jdbc:mariadb://");
	}

}
