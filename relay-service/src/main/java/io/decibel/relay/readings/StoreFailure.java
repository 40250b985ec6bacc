package io.decibel.relay.readings;

import java.sql.BatchUpdateException;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import jakarta.persistence.LockTimeoutException;
import jakarta.persistence.PessimisticLockException;
import jakarta.persistence.QueryTimeoutException;
import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionTimedOutException;

/**
 * What a failed attempt to store a batch says about the next attempt. The database's own error code decides first
 * (MySQL and MariaDB share them), then the exception's type (Spring's, JPA's, JDBC's), then the SQLSTATE class.
 * Refusals that would hit every reading alike — no table, no privilege, a full disk — count as {@link #TRANSIENT}:
 * they wait for an operator, where splitting the batch would refuse every reading one by one.
 */
enum StoreFailure {

	/** The database is away, busy, locked or short of something: the same batch goes through later. */
	TRANSIENT,

	/** A key of the batch is stored already (a reading sent again, or another relay's): look the keys up. */
	DUPLICATE_KEY,

	/** The database refuses something in the batch itself (a constraint, a value it cannot hold): it will again. */
	LASTING,

	/** Nothing known: may be either. */
	UNKNOWN;

	private static final int MAX_CHAIN = 32;

	private static final Set<Integer> DUPLICATE_KEY_CODES = Set.of(1022, 1062, 1586);

	private static final Set<Integer> TRANSIENT_CODES = Set.of(
			// deadlock, lock wait timeout, lock not granted (NOWAIT)
			1213, 1205, 3572,
			// too many connections, server shutting down, connection killed, query interrupted or over its time
			1040, 1203, 1226, 1053, 1077, 1152, 1153, 1154, 1156, 1158, 1159, 1160, 1161, 1927, 1317, 1969, 3024,
			// client-side: cannot connect, server gone away, lost connection
			2002, 2003, 2006, 2013, 2055,
			// disk full, table full, out of memory, read-only (a fail-over under way)
			1021, 1114, 1037, 1038, 1041, 1290, 1792, 1836,
			// no table, no column, no privilege, SQL the server does not know: the schema or the account is wrong
			1044, 1045, 1046, 1049, 1054, 1064, 1142, 1143, 1146);

	private static final Set<Integer> LASTING_CODES = Set.of(
			// column cannot be null, no default value, foreign keys, check constraint (MySQL, MariaDB)
			1048, 1364, 1216, 1217, 1451, 1452, 1557, 3819, 4025,
			// data too long, out of range, truncated, incorrect value, illegal value, invalid string
			1406, 1264, 1265, 1292, 1366, 1367, 1690, 1300, 3140,
			// a trigger's SIGNAL (user-defined condition)
			1644);

	/** The failure of one attempt, from the exception it threw. */
	static StoreFailure of(Throwable failure) {
		SQLException sql = sqlCause(failure);
		if (sql != null) {
			StoreFailure byCode = byErrorCode(sql.getErrorCode());
			if (byCode != null) {
				return byCode;
			}
		}
		for (Throwable cause : chain(failure)) {
			StoreFailure byType = byType(cause);
			if (byType != null) {
				return byType;
			}
		}
		StoreFailure byState = (sql != null) ? bySqlState(sql.getSQLState()) : null;
		return (byState != null) ? byState : UNKNOWN;
	}

	/**
	 * The database's words for a refusal, without the driver's connection prefix, e.g. {@code Data too long for
	 * column 'source' at row 1}.
	 */
	static String reasonOf(Throwable failure) {
		SQLException sql = sqlCause(failure);
		String message = (sql != null) ? sql.getMessage() : failure.getMessage();
		if (message == null) {
			return failure.getClass().getSimpleName();
		}
		return message.replaceFirst("^\\(conn=\\d+\\) ", "");
	}

	private static @Nullable StoreFailure byErrorCode(int code) {
		if (DUPLICATE_KEY_CODES.contains(code)) {
			return DUPLICATE_KEY;
		}
		if (TRANSIENT_CODES.contains(code)) {
			return TRANSIENT;
		}
		return LASTING_CODES.contains(code) ? LASTING : null;
	}

	private static @Nullable StoreFailure byType(Throwable cause) {
		if (cause instanceof DuplicateKeyException) {
			return DUPLICATE_KEY;
		}
		if (cause instanceof TransientDataAccessException || cause instanceof RecoverableDataAccessException
				|| cause instanceof CannotCreateTransactionException
				|| cause instanceof DataAccessResourceFailureException
				|| cause instanceof TransactionTimedOutException || cause instanceof LockTimeoutException
				|| cause instanceof PessimisticLockException || cause instanceof QueryTimeoutException
				|| cause instanceof SQLTransientException || cause instanceof SQLRecoverableException) {
			return TRANSIENT;
		}
		if (cause instanceof DataIntegrityViolationException
				|| cause instanceof SQLIntegrityConstraintViolationException || cause instanceof SQLDataException) {
			return LASTING;
		}
		return null;
	}

	private static @Nullable StoreFailure bySqlState(@Nullable String state) {
		if (state == null || state.length() < 2) {
			return null;
		}
		if (state.startsWith("HYT")) {
			return TRANSIENT;
		}
		return switch (state.substring(0, 2)) {
			// connection, transaction rollback (deadlock, serialization), resources, operator intervention
			case "08", "40", "53", "57", "58" -> TRANSIENT;
			// data exception, integrity constraint, check option, user-defined (SIGNAL)
			case "22", "23", "44", "45" -> LASTING;
			// syntax or access rule: the schema or the account, not a reading
			case "42" -> TRANSIENT;
			default -> null;
		};
	}

	/** The most telling SQLException in the chain: the first with an error code, else the first. */
	private static @Nullable SQLException sqlCause(Throwable failure) {
		SQLException first = null;
		for (Throwable cause : chain(failure)) {
			if (cause instanceof SQLException sql) {
				if (sql.getErrorCode() != 0) {
					return sql;
				}
				if (first == null) {
					first = sql;
				}
			}
		}
		return first;
	}

	/**
	 * The exception and its causes, outermost first; a batch's failure may hold the statement's own exception as its
	 * next exception rather than as its cause. Bounded: a chain may loop.
	 */
	private static List<Throwable> chain(Throwable failure) {
		List<Throwable> chain = new ArrayList<>();
		Throwable cause = failure;
		while (cause != null && chain.size() < MAX_CHAIN && !chain.contains(cause)) {
			chain.add(cause);
			cause = (cause.getCause() == null && cause instanceof BatchUpdateException batch)
					? batch.getNextException() : cause.getCause();
		}
		return chain;
	}

}
