package io.decibel.relay.database;

import java.sql.CallableStatement;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.hibernate.boot.model.TypeContributions;
import org.hibernate.dialect.DatabaseVersion;
import org.hibernate.dialect.Dialect;
import org.hibernate.dialect.MariaDBDialect;
import org.hibernate.engine.jdbc.dialect.spi.DialectResolutionInfo;
import org.hibernate.engine.jdbc.dialect.spi.DialectResolver;
import org.hibernate.service.ServiceRegistry;
import org.hibernate.type.SqlTypes;
import org.hibernate.type.descriptor.ValueBinder;
import org.hibernate.type.descriptor.WrapperOptions;
import org.hibernate.type.descriptor.java.JavaType;
import org.hibernate.type.descriptor.jdbc.BasicBinder;
import org.hibernate.type.descriptor.jdbc.TimestampUtcAsJdbcTimestampJdbcType;
import org.jspecify.annotations.Nullable;

/**
 * MySQL Connector/J ({@code jdbc:mysql://}) on a MariaDB server, made to keep the readings' microseconds.
 * <p>
 * Connector/J decides once per connection whether the server has fractional seconds: from the version in the
 * handshake, at least 5.6.4 ({@code NativeCapabilities.serverHasFracSecsSupport}). MariaDB 10 announces itself as
 * {@code 5.5.5-10.11.…} (the prefix kept for old MySQL clients), so Connector/J takes it for a MySQL 5.5 and cuts the
 * fraction off every date-time value it binds ({@code AbstractValueEncoder.adjustTimestamp}, for a
 * {@code Timestamp}, an {@code Instant}, an {@code OffsetDateTime} or a {@code LocalDateTime} alike). No connection
 * property changes that: {@code sendFractionalSeconds} can only turn the fraction off where the server has it. A
 * string parameter is sent as it is, and MariaDB converts {@code '2026-11-29 19:42:09.520000'} into a
 * {@code datetime(6)} exactly; reading a {@code datetime(6)} back keeps its fraction in either case.
 * <p>
 * So where Hibernate meets Connector/J on MariaDB ({@code hibernate.dialect_resolvers} in {@code application.yml}),
 * this resolver gives it MariaDB's dialect at the server's real version (Hibernate would otherwise take the
 * server for a MySQL 5.5.5 by its product name and version) and binds every instant as that text, in UTC, to the
 * microsecond. Every other driver and server is left to Hibernate's own resolution. {@link TimestampPrecisionCheck}
 * checks the outcome at start through the same binding.
 */
public class ConnectorJOnMariaDb implements DialectResolver {

	private static final Pattern MARIADB_VERSION = Pattern.compile("^(?:5\\.5\\.5-)?(\\d+)\\.(\\d+)\\.(\\d+)-MariaDB.*");

	@Override
	public @Nullable Dialect resolveDialect(DialectResolutionInfo info) {
		if (!isConnectorJ(info.getDriverName())) {
			return null;
		}
		DatabaseVersion version = mariaDbVersion(info.getDatabaseVersion());
		return (version != null) ? new MariaDbDialect(version) : null;
	}

	static boolean isConnectorJ(@Nullable String driverName) {
		// MariaDB's driver calls itself "MariaDB Connector/J"
		return driverName != null && driverName.startsWith("MySQL Connector/J");
	}

	/** MariaDB's version from the one Connector/J reports ({@code 5.5.5-10.11.19-MariaDB-0+deb12u1}), else null. */
	static @Nullable DatabaseVersion mariaDbVersion(@Nullable String reported) {
		Matcher version = (reported != null) ? MARIADB_VERSION.matcher(reported) : null;
		if (version == null || !version.matches()) {
			return null;
		}
		return DatabaseVersion.make(Integer.parseInt(version.group(1)), Integer.parseInt(version.group(2)),
				Integer.parseInt(version.group(3)));
	}

	/** MariaDB's dialect with instants bound as text. */
	static class MariaDbDialect extends MariaDBDialect {

		MariaDbDialect(DatabaseVersion version) {
			super(version);
		}

		@Override
		public void contributeTypes(TypeContributions typeContributions, ServiceRegistry serviceRegistry) {
			super.contributeTypes(typeContributions, serviceRegistry);
			typeContributions.getTypeConfiguration()
				.getJdbcTypeRegistry()
				.addDescriptor(SqlTypes.TIMESTAMP_UTC, InstantAsText.INSTANCE);
		}

	}

	/** An instant bound as {@code 'yyyy-MM-dd HH:mm:ss.SSSSSS'} in UTC, read back as Hibernate reads it. */
	static final class InstantAsText extends TimestampUtcAsJdbcTimestampJdbcType {

		static final InstantAsText INSTANCE = new InstantAsText();

		private static final DateTimeFormatter MICROSECONDS = DateTimeFormatter
			.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS")
			.withZone(ZoneOffset.UTC);

		static String text(Instant instant) {
			return MICROSECONDS.format(instant);
		}

		@Override
		public <X> ValueBinder<X> getBinder(JavaType<X> javaType) {
			return new BasicBinder<>(javaType, this) {

				@Override
				protected void doBind(PreparedStatement statement, X value, int index, WrapperOptions options)
						throws SQLException {
					statement.setString(index, text(javaType.unwrap(value, Instant.class, options)));
				}

				@Override
				protected void doBind(CallableStatement statement, X value, String name, WrapperOptions options)
						throws SQLException {
					statement.setString(name, text(javaType.unwrap(value, Instant.class, options)));
				}

			};
		}

	}

}
