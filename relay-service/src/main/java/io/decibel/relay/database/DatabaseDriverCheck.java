package io.decibel.relay.database;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.springframework.beans.factory.InitializingBean;

/**
 * Refuses MySQL Connector/J ({@code jdbc:mysql://}) on MariaDB 11 and later, before Hibernate starts, naming
 * {@code jdbc:mariadb://}: those servers no longer announce themselves as {@code 5.5.5-…}, so Connector/J takes them
 * for a MySQL 8 and reads its keywords from {@code information_schema.KEYWORDS}, a table that MariaDB has without the
 * column Connector/J asks for ({@code Unknown column 'RESERVED'}); Hibernate then cannot read the database's metadata
 * and fails with a message that does not say why. On MariaDB 10 Connector/J works, through
 * {@link ConnectorJOnMariaDb}.
 */
class DatabaseDriverCheck implements InitializingBean {

	private final DataSource dataSource;

	DatabaseDriverCheck(DataSource dataSource) {
		this.dataSource = dataSource;
	}

	@Override
	public void afterPropertiesSet() throws SQLException {
		try (Connection connection = this.dataSource.getConnection()) {
			DatabaseMetaData database = connection.getMetaData();
			String server = database.getDatabaseProductVersion();
			if (ConnectorJOnMariaDb.isConnectorJ(database.getDriverName()) && server.contains("MariaDB")
					&& !server.startsWith("5.5.5-")) {
				throw new IllegalStateException("MySQL Connector/J (jdbc:mysql://) does not work with MariaDB 11 and"
						+ " later (server " + server + "): it asks them for metadata that MariaDB lacks. For MariaDB,"
						+ " use MariaDB's own driver: a jdbc:mariadb:// URL (spring.datasource.url, e.g."
						+ " jdbc:mariadb://host:3306/decibel).");
			}
		}
	}

}
