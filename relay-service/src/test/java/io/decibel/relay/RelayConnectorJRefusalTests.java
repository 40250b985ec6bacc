package io.decibel.relay;

import io.decibel.testsupport.TestInfrastructure;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;

import static org.assertj.core.api.Assertions.assertThatException;

/**
 * The relay refuses MySQL Connector/J ({@code jdbc:mysql://}) on MariaDB 11 and later, and says to use
 * {@code jdbc:mariadb://}: Hibernate cannot read those servers' metadata through it.
 */
class RelayConnectorJRefusalTests {

	@Test
	void refusesConnectorJOnMariaDb11AndNamesTheMariaDbDriver() {
		// given: the embedded MariaDB 11, through Connector/J
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
			.withMessageContaining("Connector/J (jdbc:mysql://) does not work with MariaDB 11")
			.withMessageContaining("jdbc:mariadb://");
	}

}
