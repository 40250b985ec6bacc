package io.decibel.relay.database;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import jakarta.persistence.EntityManagerFactory;

import org.springframework.boot.jpa.autoconfigure.EntityManagerFactoryDependsOnPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What the relay asks of its JDBC driver, whichever {@code spring.datasource.url} chose: Connector/J's settings for
 * batches, a driver made for its server (checked before Hibernate starts), timestamps kept whole (checked as the
 * context starts, before the MQTT adapters take a reading), and insert-or-update statements in the server's form.
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

	@Bean
	InsertOrUpdate insertOrUpdate(DataSource dataSource) throws SQLException {
		try (Connection connection = dataSource.getConnection()) {
			return InsertOrUpdate.of(connection.getMetaData());
		}
	}

	@Bean
	TimestampPrecisionCheck timestampPrecisionCheck(EntityManagerFactory entityManagerFactory) {
		return new TimestampPrecisionCheck(entityManagerFactory);
	}

}
