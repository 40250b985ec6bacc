package io.decibel.relay.database;

import java.util.LinkedHashMap;
import java.util.Map;

import com.zaxxer.hikari.HikariDataSource;

import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * The settings MySQL Connector/J needs to write the relay's batches as the MariaDB driver does, added to a
 * {@code jdbc:mysql://} data source unless its URL or {@code spring.datasource.hikari.data-source-properties} sets
 * them: the compose file's plain {@code jdbc:mysql://mysql:3306/decibel} gets them without the user knowing the
 * driver. Other URLs are left alone: the MariaDB driver has options of some of the same names, with defaults of its
 * own.
 */
class ConnectorJDefaults implements BeanPostProcessor {

	static final Map<String, String> PROPERTIES = properties();

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof HikariDataSource dataSource && isConnectorJ(dataSource.getJdbcUrl())) {
			PROPERTIES.forEach((name, value) -> {
				if (!dataSource.getJdbcUrl().contains(name + "=")
						&& !dataSource.getDataSourceProperties().containsKey(name)) {
					dataSource.addDataSourceProperty(name, value);
				}
			});
		}
		return bean;
	}

	static boolean isConnectorJ(String jdbcUrl) {
		return jdbcUrl != null && jdbcUrl.startsWith("jdbc:mysql:");
	}

	private static Map<String, String> properties() {
		Map<String, String> properties = new LinkedHashMap<>();
		// a batch of readings as one multi-row INSERT; without it Connector/J sends an INSERT per row
		properties.put("rewriteBatchedStatements", "true");
		// auto-commit and read-only from the driver's own state, not a query to the server around each transaction
		properties.put("useLocalSessionState", "true");
		// instants in UTC, as hibernate.jdbc.time_zone: the same rows whatever the JVM's time zone
		properties.put("connectionTimeZone", "UTC");
		return Map.copyOf(properties);
	}

}
