package io.decibel.relay.sessions;

import java.time.Duration;
import java.util.List;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The {@code relay_sessions} table. Times are the database's ({@code now(6)}), so the relays' clocks never decide
 * who is gone.
 */
class SessionRegistry {

	private final JdbcTemplate jdbc;

	/** Each write in a transaction of its own: the relay's connections come without auto-commit. */
	private final TransactionTemplate transaction;

	/** The relays' shared subscription: only relays of the same group and topic root adopt each other. */
	private final String shareTopic;

	SessionRegistry(JdbcTemplate jdbc, PlatformTransactionManager transactions, String shareTopic) {
		this.jdbc = jdbc;
		this.transaction = new TransactionTemplate(transactions);
		this.shareTopic = shareTopic;
	}

	/** This relay's session is live: registered, or beaten again. */
	void beat(String clientId) {
		update("""
				insert into relay_sessions (client_id, share_topic, beat_at, has_left) values (?, ?, now(6), false)
				on duplicate key update share_topic = ?, beat_at = now(6), has_left = false, adopted_by = null""",
				clientId, this.shareTopic, this.shareTopic);
	}

	/** An adopted session is being handed over: its row beats for the adopter, so that nobody else takes it. */
	void beatAdopted(String clientId, String adopter) {
		update("update relay_sessions set beat_at = now(6) where client_id = ? and adopted_by = ?", clientId,
				adopter);
	}

	/** This relay stopped in order: its session waits in the broker for a live relay to adopt it at once. */
	void left(String clientId) {
		update("update relay_sessions set has_left = true where client_id = ?", clientId);
	}

	/** The sessions of relays that are gone: stopped, or not beaten for {@code deadAfter}. */
	List<String> gone(String self, Duration deadAfter) {
		return this.jdbc.queryForList("""
				select client_id from relay_sessions
				where client_id <> ? and share_topic = ? and (has_left or beat_at < now(6) - interval ? microsecond)
				order by beat_at""", String.class, self, this.shareTopic, deadAfter.toNanos() / 1000);
	}

	/** Takes a gone relay's session for {@code adopter}; false when another relay took it first or it came back. */
	boolean claim(String clientId, String adopter, Duration deadAfter) {
		return update("""
				update relay_sessions set beat_at = now(6), adopted_by = ?, has_left = false
				where client_id = ? and (has_left or beat_at < now(6) - interval ? microsecond)""", adopter, clientId,
				deadAfter.toNanos() / 1000) == 1;
	}

	/** The adopted session is ended: nothing of it is left in the broker. */
	void ended(String clientId, String adopter) {
		update("delete from relay_sessions where client_id = ? and adopted_by = ?", clientId, adopter);
	}

	/** The adoption did not finish: the row stops beating, and a live relay tries again once it is gone. */
	void released(String clientId, String adopter) {
		update("update relay_sessions set adopted_by = null where client_id = ? and adopted_by = ?",
				clientId, adopter);
	}

	private int update(String sql, Object... arguments) {
		Integer updated = this.transaction.execute((status) -> this.jdbc.update(sql, arguments));
		return (updated != null) ? updated : 0;
	}

}
