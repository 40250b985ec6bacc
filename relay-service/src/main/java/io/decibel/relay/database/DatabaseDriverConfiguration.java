package io.decibel.relay.database;

import javax.sql.DataSource;

import org.springframework.boot.jpa.autoconfigure.EntityManagerFactoryDependsOnPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What the relay asks of its JDBC driver, whichever {@code spring.datasource.url} chose: Connector/J's settings for
 * batches, and a driver that keeps timestamps whole, checked before the JPA repositories start.
 */
@Configuration(proxyBeanMethods = false)
class DatabaseDriverConfiguration {

	@Bean
	static ConnectorJDefaults connectorJDefaults() {
		return new ConnectorJDefaults();
	}

	@Bean
	DatabaseDriverCheck databaseDriverCheck(DataSource dataSource) {
		return new DatabaseDriverCheck(dataSource);
	}

	@Bean
	static EntityManagerFactoryDependsOnPostProcessor entityManagerFactoryAfterDatabaseDriverCheck() {
		return new EntityManagerFactoryDependsOnPostProcessor("databaseDriverCheck");
	}

}
